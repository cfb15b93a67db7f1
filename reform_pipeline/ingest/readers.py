"""Reading one input file into DuckDB as text, whatever its format (SPEC §2).

Every reader leaves the same shape behind: a temporary relation ``source_rows`` with
``row_number`` (1-based among data rows, header excluded), ``malformed`` (the row could not be
split into the header's columns) and one VARCHAR column per file column, named ``c0, c1, …``.
Those names are ours, so the SQL that follows never uses a name taken from the input. The value
rules are applied afterwards, in SQL, the same way for every format.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reform_pipeline.warehouse import execute

# Big enough to sniff a header line, small enough to read for every file.
_SNIFF_BYTES = 1 << 16
_BATCH_ROWS = 200_000
# Python's csv module refuses fields over 128 KiB by default; exports can carry long free text.
csv.field_size_limit(1 << 30)
# DuckDB reads a path as a glob pattern: a file named "dossiers[1].csv" must not be read that way.
_GLOB_CHARACTERS = set("*?[]{}")


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why (shown with the file name)."""


@dataclass(frozen=True)
class SourceFile:
    headers: list[str]
    encoding: str  # what the bytes were decoded as ("utf-8", "utf-16", "cp1258", "xlsx", "parquet")
    reader: str  # "duckdb-csv", "python-csv", "xlsx", "parquet"


def column_names(count: int) -> list[str]:
    return [f"c{i}" for i in range(count)]


def stage_source(con: duckdb.DuckDBPyConnection, path: Path) -> SourceFile:
    """Load ``path`` into the temporary relation ``source_rows``; raise UnreadableFile if it can't be."""
    suffix = path.suffix.lower()
    try:
        with _plain_path(path) as readable:
            if suffix == ".csv":
                return _stage_csv(con, readable)
            if suffix == ".xlsx":
                return _stage_xlsx(con, readable)
            if suffix == ".parquet":
                return _stage_parquet(con, readable)
    except UnreadableFile:
        raise
    except (OSError, ValueError, duckdb.Error, pa.ArrowException, csv.Error) as exc:
        raise UnreadableFile(f"{type(exc).__name__}: {_first_line(str(exc))}") from exc
    except Exception as exc:  # a reader library's own error types: still one file, not the run
        raise UnreadableFile(f"{type(exc).__name__}: {_first_line(str(exc))}") from exc
    raise UnreadableFile(f"unsupported file type {suffix!r}")


@contextlib.contextmanager
def _plain_path(path: Path) -> Iterator[Path]:
    """``path``, or a link to it under a plain name when its name holds glob characters."""
    if not _GLOB_CHARACTERS & set(str(path)):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="reform-input-") as folder:
        link = Path(folder) / f"input{path.suffix.lower()}"
        os.symlink(path.resolve(), link)
        yield link


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "no detail"


# --- CSV -------------------------------------------------------------------------------------


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path) -> SourceFile:
    text_path, encoding, cleanup = _as_utf8(path)
    try:
        head = _read_head(text_path)
        if not head.strip():
            _stage_empty(con, 0)
            return SourceFile([], encoding, "empty")
        delimiter = _sniff_delimiter(head)
        header_line = next(csv.reader(io.StringIO(head), delimiter=delimiter), [])
        headers = [h.strip() for h in header_line]
        if not any(headers):
            raise UnreadableFile("the first line holds no column names")
        try:
            _stage_csv_duckdb(con, text_path, delimiter, len(headers))
            reader = "duckdb-csv"
        except duckdb.Error:
            # Irregular rows (too many or too few fields, stray quotes, NUL bytes): read them one
            # by one so that each bad row is quarantined instead of failing the whole file.
            _stage_csv_python(con, text_path, delimiter, len(headers))
            reader = "python-csv"
        return SourceFile(headers, encoding, reader)
    finally:
        if cleanup:
            text_path.unlink(missing_ok=True)


def _as_utf8(path: Path) -> tuple[Path, str, bool]:
    """The file as UTF-8: itself when it already is, else a transcoded temporary copy.

    UTF-16 is recognised by its byte-order mark; bytes that are not valid UTF-8 are read as
    Windows-1258, the Vietnamese Windows code page of older office exports.
    """
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcode(path, "utf-16"), "utf-16", True
    if _is_utf8(path):
        return path, "utf-8", False
    return _transcode(path, "cp1258"), "cp1258", True


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _transcode(path: Path, encoding: str) -> Path:
    out = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".csv", delete=False)
    with out, path.open("r", encoding=encoding, errors="replace", newline="") as source:
        while chunk := source.read(1 << 20):
            out.write(chunk)
    return Path(out.name)


def _read_head(path: Path) -> str:
    with path.open("rb") as handle:
        raw = handle.read(_SNIFF_BYTES)
    text = raw.decode("utf-8", errors="ignore").lstrip("\ufeff")
    return text


def _sniff_delimiter(head: str) -> str:
    """Comma or semicolon, whichever splits the header line into more fields (SPEC §2)."""
    first_line = head.splitlines()[0] if head.splitlines() else ""
    counts = {}
    for delimiter in (",", ";"):
        counts[delimiter] = len(next(csv.reader([first_line], delimiter=delimiter), []))
    return ";" if counts[";"] > counts[","] else ","


def _stage_csv_duckdb(con, path: Path, delimiter: str, width: int) -> None:
    columns = {name: "VARCHAR" for name in column_names(width)}
    execute(con,
        "CREATE OR REPLACE TEMP TABLE source_csv AS SELECT * FROM read_csv($path, header = true, "
        "delim = $delim, quote = '\"', escape = '\"', auto_detect = false, columns = $columns, "
        "null_padding = false, strict_mode = true, encoding = 'utf-8')",
        {"path": str(path), "delim": delimiter, "columns": columns},
    )
    # CREATE TABLE AS keeps the file's order, so rowid follows the data rows. Inside a
    # transaction rowids start at a large offset, hence the subtraction.
    execute(con,
        "CREATE OR REPLACE TEMP VIEW source_rows AS "
        "SELECT rowid - (SELECT min(rowid) FROM source_csv) + 1 AS row_number, FALSE AS malformed, * "
        "FROM source_csv"
    )


def _stage_csv_python(con, path: Path, delimiter: str, width: int) -> None:
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        rows = csv.reader((line.replace("\0", "") for line in handle), delimiter=delimiter, strict=False)
        next(rows, None)  # header

        def batches():
            batch: list[list[str | None]] = []
            for number, row in enumerate(rows, start=1):
                batch.append(_fit_row(number, row, width))
                if len(batch) >= _BATCH_ROWS:
                    yield _rows_to_batch(batch, width)
                    batch = []
            if batch:
                yield _rows_to_batch(batch, width)

        _stage_batches(con, batches(), width)


def _fit_row(number: int, row: list[str], width: int) -> list:
    """[row_number, malformed, c0 … c{width-1}]: a row with the wrong field count is marked."""
    malformed = len(row) != width
    cells: list[str | None] = list(row[:width]) + [None] * max(0, width - len(row))
    if len(row) > width:
        # Keep what does not fit, so the quarantine row still shows everything the file held.
        cells[-1] = delimiter_join(row[width - 1 :])
    return [number, malformed, *cells]


def delimiter_join(values: list[str]) -> str:
    return " | ".join(values)


# --- Excel -----------------------------------------------------------------------------------


def _stage_xlsx(con: duckdb.DuckDBPyConnection, path: Path) -> SourceFile:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    if not workbook.sheet_names:
        raise UnreadableFile("the workbook has no sheet")
    # The first sheet holds the export; cached values of formulas are read, never evaluated.
    rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    while rows and all(_excel_text(v) is None for v in rows[-1]):
        rows.pop()
    if not rows:
        _stage_empty(con, 0)
        return SourceFile([], "xlsx", "xlsx")
    headers = [(_excel_text(v) or "") for v in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    fitted = [
        _fit_row(number, [_excel_text(v) for v in row[:width]], width)
        for number, row in enumerate(rows[1:], start=1)
    ]
    for row in fitted:
        row[1] = False  # a short spreadsheet row is only empty trailing cells, not a broken row
    _stage_batches(con, iter([_rows_to_batch(fitted, width)]), width)
    return SourceFile(headers, "xlsx", "xlsx")


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


# --- Parquet ---------------------------------------------------------------------------------


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> SourceFile:
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    headers = [str(name) for name in schema.names]
    width = len(headers)

    def batches():
        offset = 0
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS):
            texts = [_arrow_text(batch.column(i)) for i in range(width)]
            numbers = pa.array(range(offset + 1, offset + batch.num_rows + 1), pa.int64())
            offset += batch.num_rows
            yield pa.RecordBatch.from_arrays(
                [numbers, pa.nulls(batch.num_rows, pa.bool_()).fill_null(False), *texts],
                names=["row_number", "malformed", *column_names(width)],
            )

    _stage_batches(con, batches(), width)
    return SourceFile(headers, "parquet", "parquet")


def _arrow_text(column: pa.Array) -> pa.Array:
    """A typed Parquet column as text that the SQL value rules read like any CSV cell."""
    kind = column.type
    if pa.types.is_floating(kind):
        whole = pc.and_(pc.is_finite(column), pc.equal(pc.floor(column), column))
        whole = pc.and_(whole, pc.less(pc.abs(column), 1e18))
        as_int = pc.cast(pc.cast(column, pa.int64(), safe=False), pa.string())
        return pc.if_else(whole, as_int, pc.cast(column, pa.string()))
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        # Local Vietnam time (SPEC §2): drop the zone after converting to UTC+7.
        local = pc.cast(column, pa.timestamp(kind.unit, tz="+07:00"))
        column = pc.local_timestamp(local)
        kind = column.type
    if pa.types.is_timestamp(kind):
        return pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_boolean(kind):
        return pc.if_else(column, pa.scalar("1"), pa.scalar("0"))
    if pa.types.is_dictionary(kind):
        return _arrow_text(column.dictionary_decode())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.cast(column, pa.string())
    try:
        return pc.cast(column, pa.string())
    except pa.ArrowNotImplementedError:
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())


# --- shared ----------------------------------------------------------------------------------


def _rows_to_batch(rows: list[list], width: int) -> pa.RecordBatch:
    columns = list(zip(*rows)) if rows else [[] for _ in range(width + 2)]
    arrays = [pa.array(columns[0], pa.int64()), pa.array(columns[1], pa.bool_())]
    arrays += [pa.array(columns[i + 2], pa.string()) for i in range(width)]
    return pa.RecordBatch.from_arrays(arrays, names=["row_number", "malformed", *column_names(width)])


def _stage_batches(con, batches, width: int) -> None:
    schema = pa.schema(
        [("row_number", pa.int64()), ("malformed", pa.bool_())]
        + [(name, pa.string()) for name in column_names(width)]
    )
    reader = pa.RecordBatchReader.from_batches(schema, batches)
    con.complete()  # a caller's unread result would block the registration (DuckDB 2)
    con.register("source_arrow", reader)
    try:
        execute(con, "CREATE OR REPLACE TEMP TABLE source_table AS SELECT * FROM source_arrow")
    finally:
        con.unregister("source_arrow")
    execute(con, "CREATE OR REPLACE TEMP VIEW source_rows AS SELECT * FROM source_table")


def _stage_empty(con, width: int) -> None:
    _stage_batches(con, iter(()), width)
