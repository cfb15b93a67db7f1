"""Reading Excel workbooks, .xlsx and legacy .xls, into ``source_rows`` (docs/spec §2.0): the
first sheet that has a header row, as text, in the shape readers.py describes and with its staging.

python-calamine reads the cells: cached values of formulas, never evaluated. It reads an error cell
(#N/A, #REF! …) as an empty cell, which it is not, so error cells are read here from the file
itself: from the sheet's XML in an .xlsx, from the BIFF8 records in the OLE2 compound file of an
.xls.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import duckdb

from reform_pipeline.ingest.columns import HEADER_SEARCH_ROWS, header_row
from reform_pipeline.ingest.readers import (
    NO_HEADER, SourceFile, UnreadableFile, fit_row, rows_to_batch, stage_batches,
)


def stage_excel(con: duckdb.DuckDBPyConnection, path: Path, name: str, kind: str | None) -> SourceFile:
    """An .xlsx or .xls workbook, read from its first sheet that has a header row; the other
    sheets are named in ``ignored_sheets`` (docs/spec §2.0). Cached values of formulas are read,
    never evaluated; an error value (#N/A …) is its text."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    names = list(workbook.sheet_names)
    if not names:
        raise UnreadableFile("the workbook has no sheet")
    blank = True
    for index, sheet_name in enumerate(names):
        sheet = workbook.get_sheet_by_index(index)
        first_rows = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
        top = [[_excel_text(v) or "" for v in row] for row in first_rows]
        blank = blank and not any(any(row) for row in top)
        at = header_row(kind, top)
        if at is None or not any(top[at]):
            continue
        ignored = names[:index] + names[index + 1 :]
        rows = sheet.to_python(skip_empty_area=False)
        for (row, column), text in _excel_error_cells(path, index, sheet_name).items():
            if row < len(rows) and column < len(rows[row]):
                rows[row][column] = text
        return _stage_sheet(con, rows[at:], name, ignored)
    if blank:
        stage_batches(con, iter(()), 0, name)
        return SourceFile([], ignored_sheets=names[1:])
    raise UnreadableFile(NO_HEADER)


def _stage_sheet(con, rows: list[list], name: str, ignored: list[str]) -> SourceFile:
    """Stage a sheet's header row and the rows below it."""
    while rows and all(_excel_text(v) is None for v in rows[-1]):
        rows.pop()
    headers = [(_excel_text(v) or "") for v in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    fitted = [
        fit_row(number, [_excel_text(v) for v in row[:width]], width)
        for number, row in enumerate(rows[1:], start=1)
    ]
    for row in fitted:
        row[1] = False  # a short spreadsheet row is only empty trailing cells, not a broken row
    stage_batches(con, iter([rows_to_batch(fitted, width)]), width, name)
    return SourceFile(headers, ignored_sheets=ignored)


def _excel_error_cells(path: Path, index: int, sheet_name: str) -> dict[tuple[int, int], str]:
    """The error cells of the sheet read, by (row, column) from A1, with their text (#N/A …)."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_error_cells(path, index)
    try:
        return _xls_error_cells(path, sheet_name)
    except (struct.error, IndexError, ValueError):
        return {}  # not the BIFF8 this reads: its cells as python-calamine reads them


_XLSX_ERROR_MARKS = (b't="e"', b"t='e'")


def _xlsx_error_cells(path: Path, sheet_index: int) -> dict[tuple[int, int], str]:
    """The error cells (#N/A, #REF! …) of one sheet of an .xlsx file, by (row, column) from A1,
    with their text: python-calamine reads them as empty cells, which they are not (docs/spec
    §2.0). Read from the sheet's XML, and only parsed when its bytes hold an error cell."""
    import zipfile
    from xml.etree import ElementTree

    relationship = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        sheets = [element for element in workbook.iter() if _local(element.tag) == "sheet"]
        if sheet_index >= len(sheets):
            return {}
        wanted = sheets[sheet_index].get(relationship) or next(
            (value for key, value in sheets[sheet_index].attrib.items() if _local(key) == "id"), None)
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next((r.get("Target") for r in relations if r.get("Id") == wanted), None)
        if not target:
            return {}
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if not _holds_error_cell(archive, member):
            return {}
        errors: dict[tuple[int, int], str] = {}
        with archive.open(member) as sheet:
            for _, element in ElementTree.iterparse(sheet):
                if _local(element.tag) != "c":
                    continue
                if element.get("t") == "e" and element.get("r"):
                    value = next((child.text for child in element if _local(child.tag) == "v"), None)
                    if value:
                        errors[_cell_position(element.get("r"))] = value
                element.clear()
        return errors


# Legacy .xls (BIFF8 in an OLE2 compound file): python-calamine reads an error cell as empty, so
# its error cells are read here, from the BOOLERR records and formulas' cached error results.
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A"}
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_OLE_END = 0xFFFFFFFE


def _xls_error_cells(path: Path, sheet_name: str) -> dict[tuple[int, int], str]:
    """The error cells of sheet ``sheet_name`` of an .xls file, by (row, column) from A1; none
    when the file is not the BIFF8 this reads (the sheet is then read as calamine reads it)."""
    data = path.read_bytes()
    stream = _ole_stream(data, ("Workbook", "Book"))
    if stream is None:
        return {}
    start = next((offset for name, offset in _biff_sheets(stream) if name == sheet_name), None)
    if start is None:
        return {}
    errors: dict[tuple[int, int], str] = {}
    position = start
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        position += 4 + size
        if kind == 0x000A:  # EOF of the sheet's substream
            break
        if kind == 0x0205 and size >= 8 and body[7] == 1:  # BOOLERR holding an error
            row, column = struct.unpack_from("<HH", body)
            errors[(row, column)] = _BIFF_ERRORS.get(body[6], "#N/A")
        elif kind == 0x0006 and size >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":  # FORMULA
            row, column = struct.unpack_from("<HH", body)
            errors[(row, column)] = _BIFF_ERRORS.get(body[8], "#N/A")
    return errors


def _biff_sheets(stream: bytes) -> list[tuple[str, int]]:
    """(name, offset of its substream) of each BOUNDSHEET record of a BIFF8 workbook stream."""
    sheets, position = [], 0
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        position += 4 + size
        if kind == 0x0085 and size >= 8:
            offset, length, flags = struct.unpack_from("<I", body)[0], body[6], body[7]
            text = body[8 : 8 + length * (2 if flags & 1 else 1)]
            sheets.append((text.decode("utf-16-le" if flags & 1 else "latin-1"), offset))
        elif kind == 0x000A:  # EOF of the workbook globals
            break
    return sheets


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """The first stream named one of ``names`` in an OLE2 compound file, or None."""
    if data[:8] != _OLE_MAGIC or len(data) < 512:
        return None
    sector = 1 << struct.unpack_from("<H", data, 30)[0]
    mini = 1 << struct.unpack_from("<H", data, 32)[0]
    fat_count, first_directory = struct.unpack_from("<II", data, 44)
    cutoff, first_minifat, _, first_difat, difat_count = struct.unpack_from("<IIIII", data, 56)

    def at(number: int) -> bytes:
        return data[(number + 1) * sector : (number + 2) * sector]  # the header fills sector -1

    difat = list(struct.unpack_from("<109I", data, 76))
    following = first_difat
    for _ in range(difat_count):
        if following >= _OLE_END:
            break
        entries = struct.unpack(f"<{sector // 4}I", at(following))
        difat += entries[:-1]
        following = entries[-1]
    fat: list[int] = []
    for number in difat[:fat_count]:
        fat += struct.unpack(f"<{sector // 4}I", at(number))

    def chain(first: int, table: list[int]) -> list[int]:
        numbers, seen = [], set()
        while first < _OLE_END and first < len(table) and first not in seen:
            seen.add(first)
            numbers.append(first)
            first = table[first]
        return numbers

    directory = b"".join(at(n) for n in chain(first_directory, fat))
    entries = []
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(0, length - 2)].decode("utf-16-le", errors="replace")
        entries.append((name, entry[66], *struct.unpack_from("<II", entry, 116)))
    if not entries:
        return None
    for wanted in names:
        found = next((e for e in entries if e[0] == wanted and e[1] == 2), None)
        if found is None:
            continue
        _, _, start, size = found
        if size >= cutoff:
            return b"".join(at(n) for n in chain(start, fat))[:size]
        minifat: list[int] = []
        for number in chain(first_minifat, fat):
            minifat += struct.unpack(f"<{sector // 4}I", at(number))
        root_stream = b"".join(at(n) for n in chain(entries[0][2], fat))
        return b"".join(root_stream[n * mini : (n + 1) * mini] for n in chain(start, minifat))[:size]
    return None


def _holds_error_cell(archive, member: str) -> bool:
    tail = b""
    with archive.open(member) as sheet:
        while chunk := sheet.read(1 << 20):
            if any(mark in tail + chunk for mark in _XLSX_ERROR_MARKS):
                return True
            tail = chunk[-8:]
    return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _cell_position(reference: str) -> tuple[int, int]:
    """'B12' → (11, 1): row and column from A1, both from 0."""
    letters = "".join(ch for ch in reference if ch.isalpha()).upper()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(reference[len(letters):]) - 1, column - 1


def _excel_text(value) -> str | None:
    """A cell as the text a person sees: dates as ISO, whole numbers without '.0'."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    return str(value)
