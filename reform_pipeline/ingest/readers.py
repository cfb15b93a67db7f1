"""Reading input files into DuckDB as text, whatever their format (docs/spec §2).

Every reader leaves the same shape behind: a temporary relation ``source_rows`` with
``source_file`` (the file's name), ``row_number`` (1-based among the file's data rows, header
excluded), ``malformed`` (the row could not be split into the header's columns) and one VARCHAR
column per file column, named ``c0, c1, …``. Those names are ours, so the SQL that follows never
uses a name taken from the input. The value rules are applied afterwards, in SQL, the same way
for every format.

Exports that share a format and columns are read together, by one DuckDB scan over the list of
files: a night's export is small, and a statement per file would cost more than its rows.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from reform_pipeline.warehouse import execute

# Big enough to sniff a header line, small enough to read for every file.
_SNIFF_BYTES = 1 << 16
_BATCH_ROWS = 200_000
# Python's csv module refuses fields over 128 KiB by default; exports can carry long free text.
csv.field_size_limit(1 << 30)
# DuckDB reads a path as a glob pattern: a file named "dossiers[1].csv" must not be read that way.
_GLOB_CHARACTERS = set("*?[]{}")
_READ_ERRORS = (OSError, ValueError, UnicodeError, duckdb.Error, pa.ArrowException, csv.Error)


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why (shown with the file name)."""


@dataclass(frozen=True)
class SourceFile:
    headers: list[str]
    # positions that also come typed, as t<k>: position → "timestamp" or "integer" (_parquet_view)
    typed: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FileGroup:
    """Files one DuckDB scan reads together: same format and the same columns."""

    paths: tuple[Path, ...]
    reader: str  # "parquet" or "duckdb-csv"
    headers: tuple[str, ...]
    detail: tuple  # parquet: column types; CSV: (delimiter,)


def column_names(count: int) -> list[str]:
    return [f"c{i}" for i in range(count)]


# Rows validated by one statement (at most): big enough that the cost per statement vanishes,
# small enough to keep memory flat whatever the history's size. The validation streams into
# the stored table, so a chunk's memory is DuckDB's buffers, not the chunk.
CHUNK_ROWS = 4_000_000
_CSV_BYTES_PER_ROW = 150  # a fair guess for a one-stop export, used only to size chunks


def group_files(paths: list[Path]) -> tuple[list[FileGroup], list[Path]]:
    """Split ``paths`` into groups read in one scan, and files to read one by one (Excel,
    CSV that is not plain UTF-8, names with glob characters, anything whose header cannot
    be read here). Order within a group follows ``paths``. The files of one format and set of
    columns are cut into the fewest chunks of at most about CHUNK_ROWS rows, of even size (no
    small last chunk paying a statement of its own)."""
    found_by_key: dict[tuple, list[tuple[Path, int]]] = {}
    single: list[Path] = []
    for path in paths:
        found = _group_key(path)
        if found is None:
            single.append(path)
            continue
        key, rows = found
        found_by_key.setdefault(key, []).append((path, rows))
    groups = []
    for key, members in found_by_key.items():
        total = sum(rows for _, rows in members)
        target = total / max(1, math.ceil(total / CHUNK_ROWS))
        chunk: list[Path] = []
        filled = 0
        for path, rows in members:
            if chunk and filled + rows > target * 1.05:
                groups.append(FileGroup(tuple(chunk), *key))
                chunk, filled = [], 0
            chunk.append(path)
            filled += rows
        groups.append(FileGroup(tuple(chunk), *key))
    return groups, single


def _group_key(path: Path) -> tuple[tuple, int] | None:
    if _GLOB_CHARACTERS & set(str(path)):
        return None
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            metadata = pq.read_metadata(path)
            schema = metadata.schema.to_arrow_schema()
            key = ("parquet", tuple(schema.names), tuple(str(t) for t in schema.types))
            return key, metadata.num_rows
        # A CSV file whose start is not UTF-8 is read alone (and transcoded). Bytes that are not
        # UTF-8 further down make DuckDB's reader fail the group, which is then split
        # (split_group): cheaper than checking every whole file here
        # (docs/decisions/0005-csv-reading.md).
        if suffix == ".csv" and path.stat().st_size > 0:
            raw_head = _read_head_bytes(path)
            if not _starts_as_utf8(raw_head):
                return None
            head = _head_text(raw_head)
            delimiter = _sniff_delimiter(head)
            headers = tuple(h.strip() for h in next(csv.reader(io.StringIO(head), delimiter=delimiter), []))
            if any(headers):
                return ("duckdb-csv", headers, (delimiter,)), path.stat().st_size // _CSV_BYTES_PER_ROW
    except _READ_ERRORS:
        return None  # read alone, which reports why it cannot be read
    return None


def split_group(group: FileGroup) -> list[FileGroup]:
    """The two halves of ``group``, in its order (a group that failed is read again by halves,
    down to the files that break it)."""
    middle = len(group.paths) // 2
    return [replace(group, paths=group.paths[:middle]), replace(group, paths=group.paths[middle:])]


def stage_group(con: duckdb.DuckDBPyConnection, group: FileGroup) -> dict[int, str]:
    """Make ``source_rows`` show every file of ``group``; a DuckDB error means one of them is
    broken, and the caller reads the group again by halves (split_group).

    Parquet stays a view over the files, read once by the statement that validates them.
    Returns the positions that also come typed, with their class (see _parquet_view)."""
    paths = [str(path) for path in group.paths]
    if group.reader == "parquet":
        return _parquet_view(con, paths, len(group.headers))
    _stage_csv_duckdb(con, paths, group.detail[0], len(group.headers))
    return {}


def stage_source(con: duckdb.DuckDBPyConnection, path: Path) -> SourceFile:
    """Load one file into ``source_rows``; raise UnreadableFile if it can't be read at all."""
    suffix = path.suffix.lower()
    try:
        with _plain_path(path) as readable:
            if suffix == ".csv":
                return _stage_csv(con, readable, path.name)
            if suffix == ".xlsx":
                return _stage_xlsx(con, readable, path.name)
            if suffix == ".parquet":
                return _stage_parquet(con, readable, path.name)
    except UnreadableFile:
        raise
    except Exception as exc:  # a reader library's own error types too: one file, not the run
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


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> SourceFile:
    text_path, cleanup = _as_utf8(path)
    try:
        head = _read_head(text_path)
        if not head.strip():
            _stage_batches(con, iter(()), 0, name)
            return SourceFile([])
        delimiter = _sniff_delimiter(head)
        header_line = next(csv.reader(io.StringIO(head), delimiter=delimiter), [])
        headers = [h.strip() for h in header_line]
        if not any(headers):
            raise UnreadableFile("the first line holds no column names")
        try:
            _stage_csv_duckdb(con, [str(text_path)], delimiter, len(headers), name)
        except duckdb.Error:
            # Irregular rows (too many or too few fields, stray quotes): read them one by one so
            # that each bad row is quarantined instead of failing the whole file.
            _stage_csv_python(con, text_path, delimiter, len(headers), name)
        return SourceFile(headers)
    finally:
        if cleanup:
            text_path.unlink(missing_ok=True)


def _as_utf8(path: Path) -> tuple[Path, bool]:
    """The file as UTF-8: itself when it already is, else a transcoded temporary copy.

    UTF-16 is recognised by its byte-order mark; bytes that are not valid UTF-8 are read as
    Windows-1258, the Vietnamese Windows code page of older office exports.
    """
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcode(path, "utf-16"), True
    if _is_utf8(path):
        return path, False
    return _transcode(path, "cp1258"), True


def _starts_as_utf8(head: bytes) -> bool:
    """A file's first bytes (_read_head_bytes) are UTF-8 (a character cut at the end allowed)
    and carry no UTF-16 byte-order mark."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


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


def _read_head_bytes(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_SNIFF_BYTES)


def _head_text(head: bytes) -> str:
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def _read_head(path: Path) -> str:
    return _head_text(_read_head_bytes(path))


def _sniff_delimiter(head: str) -> str:
    """Comma or semicolon, whichever splits the header line into more fields (docs/spec §2)."""
    first_line = head.splitlines()[0] if head.splitlines() else ""
    counts = {}
    for delimiter in (",", ";"):
        counts[delimiter] = len(next(csv.reader([first_line], delimiter=delimiter), []))
    return ";" if counts[";"] > counts[","] else ","


def _stage_csv_duckdb(con, paths: list[str], delimiter: str, width: int, name: str | None = None) -> None:
    """DuckDB's reader, strict: any irregular row fails it, and the caller reads slowly instead."""
    columns = {column: "VARCHAR" for column in column_names(width)}
    with _insertion_order_kept(con):
        _read_csv_table(con, paths, delimiter, columns, name)
    # CREATE TABLE AS kept the files' order, so rowid follows each file's data rows.
    execute(
        con,
        "CREATE OR REPLACE TEMP VIEW source_rows AS SELECT source_file, "
        "rowid - min(rowid) OVER (PARTITION BY source_file) + 1 AS row_number, FALSE AS malformed, "
        "* EXCLUDE (source_file) FROM source_csv",
    )


@contextlib.contextmanager
def _insertion_order_kept(con) -> Iterator[None]:
    """Row numbers of a CSV file come from the order DuckDB stores its rows in."""
    kept = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    execute(con, "SET preserve_insertion_order = true")
    try:
        yield
    finally:
        if not kept:
            execute(con, "SET preserve_insertion_order = false")


def _read_csv_table(con, paths: list[str], delimiter: str, columns: dict, name: str | None) -> None:
    execute(
        con,
        "CREATE OR REPLACE TEMP TABLE source_csv AS "
        "SELECT coalesce($name, parse_filename(filename)) AS source_file, * EXCLUDE (filename) "
        "FROM read_csv($paths, header = true, delim = $delim, quote = '\"', escape = '\"', "
        "auto_detect = false, columns = $columns, null_padding = false, strict_mode = true, "
        "encoding = 'utf-8', filename = true)",
        {"paths": paths, "delim": delimiter, "columns": columns, "name": name},
    )


def _stage_csv_python(con, path: Path, delimiter: str, width: int, name: str) -> None:
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

        _stage_batches(con, batches(), width, name)


def _fit_row(number: int, row: list[str], width: int) -> list:
    """[row_number, malformed, c0 … c{width-1}]: a row with the wrong field count is marked."""
    malformed = len(row) != width
    cells: list[str | None] = list(row[:width]) + [None] * max(0, width - len(row))
    if len(row) > width:
        # Keep what does not fit, so the quarantine row still shows everything the file held.
        cells[-1] = " | ".join(row[width - 1 :])
    return [number, malformed, *cells]


# --- Excel -----------------------------------------------------------------------------------


def _stage_xlsx(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> SourceFile:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    if not workbook.sheet_names:
        raise UnreadableFile("the workbook has no sheet")
    # The first sheet holds the export; cached values of formulas are read, never evaluated.
    rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    while rows and all(_excel_text(v) is None for v in rows[-1]):
        rows.pop()
    if not rows:
        _stage_batches(con, iter(()), 0, name)
        return SourceFile([])
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
    _stage_batches(con, iter([_rows_to_batch(fitted, width)]), width, name)
    return SourceFile(headers)


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


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> SourceFile:
    headers = [str(header) for header in pq.read_schema(path).names]
    typed = _parquet_view(con, [str(path)], len(headers))
    # the file may be read through a link with another name: keep the real one
    execute(con, "CREATE OR REPLACE TEMP TABLE source_table AS SELECT * REPLACE ($name AS source_file) "
            "FROM source_rows", {"name": name})
    execute(con, "CREATE OR REPLACE TEMP VIEW source_rows AS SELECT * FROM source_table")
    return SourceFile(headers, typed)


def _parquet_view(con, paths: list[str], width: int) -> dict[int, str]:
    """The view ``source_rows`` over Parquet files, each typed column turned into text in SQL.

    Timestamp and whole-number columns (booleans as 1/0) also come as they are, as t<k>, so
    that validation need not parse back the text it was just given: for the systems' own
    Parquet exports, turning int8 codes into text and reading them back cost more than the
    rest of their validation. The files are opened through DuckDB's relation API, so their
    names never enter SQL text. Returns the positions k that have a typed t<k>, each with its
    class: "timestamp" (a TIMESTAMP value) or "integer" (a BIGINT value)."""
    con.complete()
    # A temporary view, this connection's alone. The relation's create_view would store the view
    # in the warehouse file itself, a catalog write and a commit for every group of files, and
    # leave it there pointing at the raw folder (schema.sql drops that leftover).
    con.register("parquet_files", con.read_parquet(paths, filename=True, file_row_number=True))
    described = con.execute("DESCRIBE SELECT * FROM parquet_files").fetchall()[:width]
    texts, typed = [], {}
    for position, ((_, kind, *_), column) in enumerate(zip(described, column_names(width)), start=1):
        texts.append(_parquet_text_template(str(kind)).format(column=f"#{position}") + f" AS {column}")
        if _parquet_kind(str(kind)) in _TYPED_VALUE:
            value, typed[position - 1] = _TYPED_VALUE[_parquet_kind(str(kind))]
            texts.append(value.format(column=f"#{position}") + f" AS t{position - 1}")
    execute(
        con,
        "CREATE OR REPLACE TEMP VIEW source_rows AS SELECT parse_filename(filename) AS source_file, "
        "file_row_number + 1 AS row_number, FALSE AS malformed"
        + "".join(", " + text for text in texts)
        + " FROM parquet_files",
    )
    return typed


_TYPED_TIMESTAMP = {
    "timestamp": "CAST({column} AS TIMESTAMP)",
    "timestamptz": "CAST(timezone('Asia/Ho_Chi_Minh', {column}) AS TIMESTAMP)",
}
# Typed values handed to the validation as they are (t<k>), with their class. Integer types
# that always fit a BIGINT only; UBIGINT and HUGEINT go through their text.
_TYPED_VALUE = {
    **{kind: (template, "timestamp") for kind, template in _TYPED_TIMESTAMP.items()},
    "integer": ("CAST({column} AS BIGINT)", "integer"),
    "boolean": ("CAST({column} AS BIGINT)", "integer"),
}
_BIGINT_KINDS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}


# How a typed Parquet column becomes the text a CSV cell would hold, so that one set of value
# rules reads every format. {column} is a positional reference (#1, #2 …) that we build.
# A timestamp is written by the macro ts_text (sql/ingest/macros.sql) from its local value
# (_TYPED_TIMESTAMP: a zoned timestamp is converted to Vietnam time first, docs/spec §2), the same
# text the validation writes for a rejected row's typed timestamp.
_TEXT_TEMPLATES = {
    **{kind: f"ts_text({typed})" for kind, typed in _TYPED_TIMESTAMP.items()},
    # a whole number stored as a float (150000.0) reads as 150000
    "float": "CASE WHEN isfinite({column}) AND {column} = trunc({column}) AND abs({column}) < 1e18 "
    "THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) ELSE CAST({column} AS VARCHAR) END",
    "decimal": "CASE WHEN {column} = trunc({column}) AND abs({column}) < 1e18 "
    "THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) ELSE CAST({column} AS VARCHAR) END",
    "boolean": "CASE WHEN {column} THEN '1' WHEN NOT {column} THEN '0' END",
    "integer": "CAST({column} AS VARCHAR)",
    "text": "CAST({column} AS VARCHAR)",
}


def _parquet_kind(kind: str) -> str:
    kind = kind.upper()
    if kind.startswith("TIMESTAMP WITH TIME ZONE") or kind == "TIMESTAMPTZ":
        return "timestamptz"
    if kind.startswith("TIMESTAMP"):
        return "timestamp"
    if kind in ("DOUBLE", "FLOAT", "REAL"):
        return "float"
    if kind.startswith("DECIMAL"):
        return "decimal"
    if kind == "BOOLEAN":
        return "boolean"
    if kind in _BIGINT_KINDS:
        return "integer"
    return "text"


def _parquet_text_template(kind: str) -> str:
    return _TEXT_TEMPLATES[_parquet_kind(kind)]


# --- shared ----------------------------------------------------------------------------------


def _rows_to_batch(rows: list[list], width: int) -> pa.RecordBatch:
    columns = list(zip(*rows)) if rows else [[] for _ in range(width + 2)]
    arrays = [pa.array(columns[0], pa.int64()), pa.array(columns[1], pa.bool_())]
    arrays += [pa.array(columns[i + 2], pa.string()) for i in range(width)]
    return pa.RecordBatch.from_arrays(arrays, names=["row_number", "malformed", *column_names(width)])


def _stage_batches(con, batches, width: int, name: str) -> None:
    schema = pa.schema(
        [("row_number", pa.int64()), ("malformed", pa.bool_())]
        + [(column, pa.string()) for column in column_names(width)]
    )
    reader = pa.RecordBatchReader.from_batches(schema, batches)
    con.complete()  # a caller's unread result would block the registration (DuckDB 2)
    con.register("source_arrow", reader)
    try:
        execute(
            con,
            "CREATE OR REPLACE TEMP TABLE source_table AS SELECT $name AS source_file, * FROM source_arrow",
            {"name": name},
        )
    finally:
        con.unregister("source_arrow")
    execute(con, "CREATE OR REPLACE TEMP VIEW source_rows AS SELECT * FROM source_table")
