"""Reading input files into DuckDB as text, whatever their format (docs/spec §2).

Every reader leaves the same shape behind: a temporary relation ``source_rows`` with
``source_file`` (the file's name), ``row_number`` (1-based among the file's data rows, below its
header row), ``malformed`` (the row could not be split into the header's columns),
``bad_encoding`` (the row holds bytes that are not valid in its file's encoding) and one VARCHAR
column per file column, named ``c0, c1, …``. Those names are ours, so the SQL that follows never
uses a name taken from the input. The value rules are applied afterwards, in SQL, the same way
for every format.

The header row is searched for among the first rows of a file or sheet (docs/spec §2.0,
columns.header_row): rows above it are a title block, neither data nor counted, and a file
without one is unreadable ("no header row found"), none of its cells reported.

Exports that share a format and columns are read together, by one DuckDB scan over the list of
files: a night's export is small, and a statement per file would cost more than its rows.

CSV and Parquet are read here; Excel workbooks (.xlsx, .xls) in excel.py, which stages its rows
with this module's shared helpers (fit_row, rows_to_batch, stage_batches).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from reform_pipeline.ingest.columns import HEADER_SEARCH_ROWS, header_row, kind_of_file
from reform_pipeline.warehouse import execute

# Big enough to sniff a header line, small enough to read for every file.
_SNIFF_BYTES = 1 << 16
_BATCH_ROWS = 200_000
# Python's csv module refuses fields over 128 KiB by default; exports can carry long free text.
csv.field_size_limit(1 << 30)
# DuckDB reads a path as a glob pattern: a file named "dossiers[1].csv" must not be read that way.
_GLOB_CHARACTERS = set("*?[]{}")
_READ_ERRORS = (OSError, ValueError, UnicodeError, duckdb.Error, pa.ArrowException, csv.Error)
# The lines whose bytes decide a CSV file's encoding (docs/spec §2.0).
_ENCODING_LINES = 1000
# Columns DuckDB's Parquet reader adds itself (filename, file_row_number): a file holding a column
# of either name is read through Arrow instead (_stage_parquet).
_PARQUET_OPTION_COLUMNS = {"filename", "file_row_number"}
NO_HEADER = "no header row found"


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why (shown with the file name)."""


@dataclass(frozen=True)
class SourceFile:
    headers: list[str]
    # positions that also come typed, as t<k>: position → "timestamp" or "integer" (_parquet_view)
    typed: dict[int, str] = field(default_factory=dict)
    # a workbook's sheets that were not read (docs/spec §2.0: every sheet but the one read)
    ignored_sheets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileGroup:
    """Files one DuckDB scan reads together: same format and the same columns."""

    paths: tuple[Path, ...]
    reader: str  # "parquet" or "duckdb-csv"
    headers: tuple[str, ...]
    detail: tuple  # parquet: column types; CSV: (delimiter, lines above the header row)

    @property
    def ignored_sheets(self) -> dict[str, list[str]]:
        """Per file name, the sheets not read: none, a group holds no workbook. Empty rather
        than one empty list per file: it is asked once per file, and a group holds a thousand."""
        return {}


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
            if _PARQUET_OPTION_COLUMNS & {name.lower() for name in schema.names}:
                return None
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
            found = _csv_header(_head_text(raw_head), kind_of_file(path.name))
            if found is None:
                return None  # read alone, which says there is no header row
            skip, delimiter, headers = found
            if any(headers):
                key = ("duckdb-csv", tuple(headers), (delimiter, skip))
                return key, path.stat().st_size // _CSV_BYTES_PER_ROW
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
    delimiter, skip = group.detail
    _stage_csv_duckdb(con, paths, delimiter, len(group.headers), skip=skip)
    return {}


def stage_source(con: duckdb.DuckDBPyConnection, path: Path, kind: str | None = None) -> SourceFile:
    """Load one file into ``source_rows``; raise UnreadableFile if it can't be read at all.
    ``kind``: the file's input kind, whose columns name its header row (default: from its name)."""
    suffix = path.suffix.lower()
    kind = kind or kind_of_file(path.name)
    try:
        with _plain_path(path) as readable:
            if suffix == ".csv":
                return _stage_csv(con, readable, path.name, kind)
            if suffix in (".xlsx", ".xls"):
                from reform_pipeline.ingest.excel import stage_excel  # it builds on this module

                return stage_excel(con, readable, path.name, kind)
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


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str, kind: str | None) -> SourceFile:
    raw_head = _read_head_bytes(path)
    encoding = _csv_encoding(path, raw_head)
    text_path, cleanup = (path, False) if encoding == "utf-8" else (_transcode(path, encoding), True)
    try:
        head = _read_head(text_path)
        if not head.strip():
            stage_batches(con, iter(()), 0, name)
            return SourceFile([])
        found = _csv_header(head, kind)
        if found is None:
            raise UnreadableFile(NO_HEADER)
        skip, delimiter, headers = found
        if not any(headers):
            raise UnreadableFile(NO_HEADER)
        try:
            _stage_csv_duckdb(con, [str(text_path)], delimiter, len(headers), name, skip)
        except duckdb.Error:
            # Irregular rows (too many or too few fields, stray quotes, bytes that are not UTF-8):
            # read them one by one so that each bad row is quarantined instead of failing the file.
            _stage_csv_python(con, text_path, delimiter, len(headers), name, skip)
        return SourceFile(headers)
    finally:
        if cleanup:
            text_path.unlink(missing_ok=True)


def _csv_encoding(path: Path, head: bytes) -> str:
    """A CSV file's encoding (docs/spec §2.0): UTF-16 when it starts with a UTF-16 byte-order
    mark; else UTF-8 when most of the lines holding non-ASCII bytes among its first 1,000 lines
    are valid UTF-8 (a file with none reads the same either way); else Windows-1258, the
    Vietnamese code page of older office exports. ``head``: the file's first bytes
    (_read_head_bytes), read on only when they hold fewer than 1,000 whole lines."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    lines = head.split(b"\n")
    if len(head) == _SNIFF_BYTES:
        lines.pop()  # cut by the read: perhaps inside a character
        if len(lines) < _ENCODING_LINES:
            with path.open("rb") as handle:
                lines = [line for line in (handle.readline() for _ in range(_ENCODING_LINES)) if line]
    lines = lines[:_ENCODING_LINES]
    non_ascii = [line for line in lines if not line.isascii()]
    valid = sum(1 for line in non_ascii if _valid_utf8(line))
    return "utf-8" if 2 * valid > len(non_ascii) or not non_ascii else "cp1258"


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _csv_header(head: str, kind: str | None) -> tuple[int, str, list[str]] | None:
    """Where a CSV file's header row is, in its first text ``head``: (the lines above it, its
    separator, its cells), or None when none of its first lines is a header row of ``kind``
    (columns.header_row). Each line's separator is comma, semicolon or tab, whichever it holds
    most of (docs/spec §2.0). Lines are split at line feeds, as DuckDB's ``skip`` counts them."""
    rows, delimiters = [], []
    for line in head.split("\n")[:HEADER_SEARCH_ROWS]:
        line = line.rstrip("\r")
        delimiter = _line_delimiter(line)
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            # a data line cut inside a quoted cell (a cell holding a line break): no header
            cells = []
        rows.append([cell.strip() for cell in cells])
        delimiters.append(delimiter)
    at = header_row(kind, rows)
    if at is None:
        return None
    return at, delimiters[at], rows[at]


def _line_delimiter(line: str) -> str:
    """Comma, semicolon or tab, whichever ``line`` holds most of (comma on a tie)."""
    return max((",", ";", "\t"), key=line.count)


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
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def _read_head(path: Path) -> str:
    return _head_text(_read_head_bytes(path))


def _stage_csv_duckdb(
    con, paths: list[str], delimiter: str, width: int, name: str | None = None, skip: int = 0
) -> None:
    """DuckDB's reader, strict: any irregular row fails it, and the caller reads slowly instead.
    ``skip``: the lines above the header row (a title block)."""
    columns = {column: "VARCHAR" for column in column_names(width)}
    with _insertion_order_kept(con):
        _read_csv_table(con, paths, delimiter, columns, name, skip)
    # CREATE TABLE AS kept the files' order, so rowid follows each file's data rows.
    execute(
        con,
        "CREATE OR REPLACE TEMP VIEW source_rows AS SELECT source_file, "
        "rowid - min(rowid) OVER (PARTITION BY source_file) + 1 AS row_number, FALSE AS malformed, "
        "FALSE AS bad_encoding, * EXCLUDE (source_file) FROM source_csv",
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


def _read_csv_table(con, paths: list[str], delimiter: str, columns: dict, name: str | None, skip: int) -> None:
    execute(
        con,
        "CREATE OR REPLACE TEMP TABLE source_csv AS "
        "SELECT coalesce($name, parse_filename(filename)) AS source_file, * EXCLUDE (filename) "
        "FROM read_csv($paths, header = true, skip = $skip, delim = $delim, quote = '\"', escape = '\"', "
        "auto_detect = false, columns = $columns, null_padding = false, strict_mode = true, "
        "encoding = 'utf-8', filename = true)",
        {"paths": paths, "delim": delimiter, "columns": columns, "name": name, "skip": skip},
    )


def _stage_csv_python(con, path: Path, delimiter: str, width: int, name: str, skip: int = 0) -> None:
    """Python's csv reader, row by row: a row of the wrong width is marked malformed, and a row
    holding bytes that are not UTF-8 is marked bad_encoding (its other rows read as usual, docs/spec
    §2.0); such bytes are kept as U+FFFD in its values."""
    # surrogateescape: a byte that is not UTF-8 becomes a lone surrogate, which no valid UTF-8 text holds
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        for _ in range(skip + 1):  # the title block and the header
            handle.readline()
        rows = csv.reader((line.replace("\0", "") for line in handle), delimiter=delimiter, strict=False)

        def batches():
            batch: list[list] = []
            for number, row in enumerate(rows, start=1):
                row, bad = _utf8_cells(row)
                batch.append(fit_row(number, row, width, bad))
                if len(batch) >= _BATCH_ROWS:
                    yield rows_to_batch(batch, width)
                    batch = []
            if batch:
                yield rows_to_batch(batch, width)

        stage_batches(con, batches(), width, name)


def _utf8_cells(row: list[str]) -> tuple[list[str], bool]:
    """``row`` as valid text, and whether it held bytes that are not UTF-8 (lone surrogates)."""
    try:
        "".join(row).encode("utf-8")
    except UnicodeEncodeError:
        return [cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for cell in row], True
    return row, False


# --- Parquet ---------------------------------------------------------------------------------


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> SourceFile:
    headers = [str(header) for header in pq.read_schema(path).names]
    relation = None
    if _PARQUET_OPTION_COLUMNS & {header.lower() for header in headers}:
        # DuckDB's reader cannot add filename and file_row_number to a file that has a column of
        # either name: read it through Arrow, its columns renamed, and add both here.
        table = pq.read_table(path)
        table = table.rename_columns([f"column_{i}" for i in range(table.num_columns)])
        table = table.append_column("filename", pa.array([str(path)] * table.num_rows, pa.string()))
        table = table.append_column("file_row_number", pa.array(range(table.num_rows), pa.int64()))
        relation = con.from_arrow(table)
    typed = _parquet_view(con, [str(path)], len(headers), relation)
    # the file may be read through a link with another name: keep the real one
    execute(con, "CREATE OR REPLACE TEMP TABLE source_table AS SELECT * REPLACE ($name AS source_file) "
            "FROM source_rows", {"name": name})
    execute(con, "CREATE OR REPLACE TEMP VIEW source_rows AS SELECT * FROM source_table")
    return SourceFile(headers, typed)


def _parquet_view(con, paths: list[str], width: int, relation=None) -> dict[int, str]:
    """The view ``source_rows`` over Parquet files, each typed column turned into text in SQL.
    ``relation``: the files already opened, with filename and file_row_number added last (a file
    that holds columns of those names, _stage_parquet); else read_parquet adds them.

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
    if relation is None:
        relation = con.read_parquet(paths, filename=True, file_row_number=True)
    con.register("parquet_files", relation)
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
        "file_row_number + 1 AS row_number, FALSE AS malformed, FALSE AS bad_encoding"
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


# --- shared: CSV read row by row, and Excel (excel.py) ---------------------------------------


def fit_row(number: int, row: list, width: int, bad_encoding: bool = False) -> list:
    """[row_number, malformed, bad_encoding, c0 … c{width-1}]: a row with the wrong field count
    is marked malformed."""
    malformed = len(row) != width
    cells: list[str | None] = list(row[:width]) + [None] * max(0, width - len(row))
    if len(row) > width:
        # Keep what does not fit, so the quarantine row still shows everything the file held.
        cells[-1] = " | ".join(row[width - 1 :])
    return [number, malformed, bad_encoding, *cells]


def rows_to_batch(rows: list[list], width: int) -> pa.RecordBatch:
    columns = list(zip(*rows)) if rows else [[] for _ in range(width + 3)]
    arrays = [pa.array(columns[0], pa.int64()), pa.array(columns[1], pa.bool_()), pa.array(columns[2], pa.bool_())]
    arrays += [pa.array(columns[i + 3], pa.string()) for i in range(width)]
    return pa.RecordBatch.from_arrays(
        arrays, names=["row_number", "malformed", "bad_encoding", *column_names(width)])


def stage_batches(con, batches, width: int, name: str) -> None:
    schema = pa.schema(
        [("row_number", pa.int64()), ("malformed", pa.bool_()), ("bad_encoding", pa.bool_())]
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
