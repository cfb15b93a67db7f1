"""The national roll-up (docs/spec §5.2): every province's published BI file, unioned into one
national BI file, with the status of each province's numbers and a 766 ranking of provinces.

**How a province's file is read.** Each province's BI file is ATTACHed ``READ_ONLY``, one
province at a time, and detached as soon as its tables are copied. It is not copied to a
temporary path first, because nothing would be gained: a province run never writes its published
file in place, it writes a candidate beside it and renames it over the published one
(publish/bi.py, docs/spec §5.1). An attached file keeps its open inode, so a rename during the
read changes nothing for this reader (it reads the old file whole) and a reader never sees half a
file. A read-only attach takes only a shared lock, which never stops a province run (it renames,
it does not open the published file for writing); copying gigabytes of province files every night
would double the disk traffic for no safety. A file another process holds open for writing (a
DuckDB shell opened without ``-readonly``) cannot be attached: that province is treated as
unreadable, like a corrupt file.

**What a province contributes.** Every table of its schema ``mart`` becomes a table of the same
name in the national file, with two leading columns, ``province_code`` and ``province_name``
(from the list of sources), unioned over provinces by column name: a province built by another
version of the pipeline may have more or fewer columns, and the national table has every column
of any province (NULL where a province has none; a type widened as ``UNION ALL BY NAME`` widens
it). Each province's rows are copied in one transaction: a file that breaks half-way (a corrupt
block) leaves none of its rows.

**When a province's file cannot be read** (missing, corrupt, locked, not a BI file, or with a
column whose type cannot be reconciled with the other provinces'), its rows are taken from the
previous national file if it has any (status ``previous_national``, with the as-of date those
rows had), else it has no rows (status ``missing``). A province whose latest run did not succeed
still has its published file, the previous successful build (a failed run never replaces it): its
numbers are read and marked ``previous``. One province never stops the others. Messages name the
province by its code and its file, and say what was wrong in fixed words: never a value read from
a file, nor DuckDB's own error text (which can quote one).

The national file is written as a candidate beside ``national_bi`` and renamed over it
(publish/bi.py's ``candidate_path`` and ``swap_in``), with ``STORAGE_VERSION 'v1.1.0'`` so DuckDB
1.1 clients open it; the page ``scorecard.html`` beside it is written to a temporary file and
renamed likewise. One national build runs at a time (a lock file beside the national file).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from reform_pipeline.national.page import national_page_html
from reform_pipeline.publish.bi import (
    BI_DISABLED_COMPRESSION,
    BI_STORAGE_VERSION,
    candidate_path,
    fsync_path,
    remove_paths,
    remove_stale_candidates,
    swap_in,
)
from reform_pipeline.publish.report import write_text_atomically
from reform_pipeline.settings import Settings
from reform_pipeline.warehouse import execute, run_sql_file

# The statuses of mart.provinces (docs/spec §5.2).
CURRENT = "current"  # read from the province's file; its latest run succeeded
PREVIOUS = "previous"  # read from the province's file; its latest run did not succeed (or none is known)
PREVIOUS_NATIONAL = "previous_national"  # its file unreadable: the rows of the previous national file
MISSING = "missing"  # its file unreadable and no previous rows: no rows
STATUSES = (CURRENT, PREVIOUS, PREVIOUS_NATIONAL, MISSING)

# Where the numbers shown come from (mart.provinces.numbers_from).
FROM_PROVINCE_FILE = "province_file"
FROM_PREVIOUS_NATIONAL = "previous_national_file"

# The national file's own tables: never taken from a province file.
NATIONAL_TABLES = ("provinces", "national_766_ranking", "national_run_info")
LEADING_COLUMNS = ("province_code", "province_name")

# The aliases the national build attaches its files under.
NATIONAL, PROVINCE, PREVIOUS_FILE = "national", "province", "previous"

# A mart table's name as the pipeline writes them; any other name is left out (and not echoed).
TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# What a run id may bring into a file name.
UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class ProvinceSource:
    code: str  # GSO code, e.g. "56"
    name: str  # "Khánh Hòa"
    bi_db: Path  # the province's published BI file
    last_run_status: str | None = None  # Dagster status of the province's latest run: "SUCCESS", "FAILURE", … or None (never run)
    last_run_id: str | None = None


@dataclass(frozen=True)
class ProvinceResult:
    """One row of mart.provinces."""

    code: str
    name: str
    status: str
    note: str
    problem: str | None
    numbers_from: str | None
    as_of: dt.date | None
    built_at: dt.datetime | None
    bi_db: str
    last_run_status: str | None
    last_run_id: str | None
    tables_taken: int
    rows_taken: int


@dataclass(frozen=True)
class NationalSummary:
    """What a national build wrote, for the Dagster asset's metadata (``as_metadata``)."""

    path: Path
    page: Path
    size_bytes: int
    built_at: dt.datetime
    statuses: dict[str, int]  # every status of STATUSES -> provinces
    rows: dict[str, int]  # national table -> rows
    provinces: tuple[ProvinceResult, ...]
    ranking_period: tuple[dt.date, dt.date] | None
    messages: tuple[str, ...] = field(default=())  # the problems met, in fixed words (codes and paths only)

    def as_metadata(self) -> dict[str, Any]:
        """Plain JSON-able values: path, size, statuses, rows per table, ranking period, problems."""
        return {
            "path": str(self.path),
            "page": str(self.page),
            "size_bytes": self.size_bytes,
            "built_at": self.built_at.isoformat(),
            "provinces": len(self.provinces),
            "statuses": dict(self.statuses),
            "rows": dict(self.rows),
            "ranking_period": None if self.ranking_period is None
            else [self.ranking_period[0].isoformat(), self.ranking_period[1].isoformat()],
            "not_current": {p.code: p.status for p in self.provinces if p.status != CURRENT},
            "messages": list(self.messages),
        }


class NotABiFile(Exception):
    """A DuckDB file that is not a province BI file (no mart.run_info)."""


def build_national(
    sources: list[ProvinceSource],
    national_bi: Path,
    *,
    run_id: str,
    log: Callable[[str], None] = print,
) -> NationalSummary:
    """Build the national BI file ``national_bi`` and the page ``scorecard.html`` beside it from
    the province files of ``sources`` (docs/spec §5.2), and swap both in whole."""
    _check_sources(sources)
    national_bi = Path(national_bi)
    national_bi.parent.mkdir(parents=True, exist_ok=True)
    page_path = national_bi.parent / "scorecard.html"
    messages: list[str] = []

    def note(message: str) -> None:
        messages.append(message)
        log(message)

    # the REFORM_* settings every run reads: DuckDB's memory limit, the lock wait (docs/spec §3)
    settings = dataclasses.replace(Settings.from_env(), warehouse=national_bi)
    with _build_lock(national_bi, settings.lock_wait_seconds):
        candidate = candidate_path(national_bi, UNSAFE_IN_FILE_NAME.sub("_", run_id) or "run")
        remove_stale_candidates(national_bi, keep=candidate)
        remove_paths(candidate, Path(f"{candidate}.wal"))
        built_at = dt.datetime.now(dt.timezone.utc)
        con = duckdb.connect(config=settings.duckdb_config())
        try:
            execute(con, f"ATTACH $path AS {NATIONAL} (STORAGE_VERSION '{BI_STORAGE_VERSION}')",
                    {"path": str(candidate)})
            execute(con, "SET disabled_compression_methods = $methods", {"methods": BI_DISABLED_COMPRESSION})
            execute(con, f"CREATE SCHEMA {NATIONAL}.mart")
            previous = _attach_previous(con, national_bi, note)
            results = [_take_province(con, source, previous, log, note) for source in sources]
            if previous is not None:
                execute(con, f"DETACH {PREVIOUS_FILE}")
            _write_provinces(con, results)
            _write_ranking(con)
            run_sql_file(con, "national/run_info", {"run_id": run_id, "built_at": built_at})
            rows = _table_rows(con)
            period = con.execute(
                f"SELECT ranking_period_start, ranking_period_end FROM {NATIONAL}.mart.national_run_info"
            ).fetchone()
            # the page is rendered from the candidate before the swap: a page that cannot be
            # rendered publishes nothing
            page_html = national_page_html(con, built_at=built_at)
            execute(con, f"DETACH {NATIONAL}")
        except BaseException:
            _detach_quietly(con, NATIONAL, PROVINCE, PREVIOUS_FILE)
            remove_paths(candidate, Path(f"{candidate}.wal"))
            raise
        finally:
            con.close()
        fsync_path(candidate)
        swap_in(candidate, national_bi)
        write_text_atomically(page_path, page_html)
    statuses = Counter(r.status for r in results)
    summary = NationalSummary(
        path=national_bi,
        page=page_path,
        size_bytes=national_bi.stat().st_size,
        built_at=built_at,
        statuses={status: statuses.get(status, 0) for status in STATUSES},
        rows=rows,
        provinces=tuple(results),
        ranking_period=None if period is None or period[0] is None else (period[0], period[1]),
        messages=tuple(messages),
    )
    log(
        f"national file {national_bi}: {len(results)} provinces ("
        + ", ".join(f"{n} {status}" for status, n in summary.statuses.items() if n)
        + f"), {sum(rows.values()):,} rows, {summary.size_bytes:,} bytes"
    )
    return summary


# ---------------------------------------------------------------------------------------------
# One province


@dataclass(frozen=True)
class _Previous:
    """The previous national file, attached read-only: which provinces it has rows for, with the
    as-of date and build time of those rows."""

    provinces: dict[str, tuple[dt.date | None, dt.datetime | None]]


def _take_province(
    con: duckdb.DuckDBPyConnection,
    source: ProvinceSource,
    previous: _Previous | None,
    log: Callable[[str], None],
    note: Callable[[str], None],
) -> ProvinceResult:
    code, path = source.code, Path(source.bi_db)
    base = dict(code=code, name=source.name, bi_db=str(path), last_run_status=source.last_run_status,
                last_run_id=source.last_run_id)
    problem = _read_problem(path)
    if problem is None:
        try:
            execute(con, f"ATTACH $path AS {PROVINCE} (READ_ONLY)", {"path": str(path)})
        except duckdb.Error as error:
            problem = _classify(error)
        else:
            try:
                as_of, built_at = _run_info(con, PROVINCE)
                tables, rows = _copy_in_one_transaction(con, PROVINCE, code, source.name, only_own_rows=False)
            except NotABiFile:
                problem = "not a province BI file (no mart.run_info)"
            except duckdb.Error as error:
                problem = _classify(error)
            except Exception as error:  # one province never stops the others
                problem = f"could not be read ({type(error).__name__})"
            else:
                succeeded = source.last_run_status == "SUCCESS"
                status = CURRENT if succeeded else PREVIOUS
                run_word = source.last_run_status or "none recorded"
                text = (
                    f"numbers of the latest run, as of {_day(as_of)}" if succeeded
                    else f"latest run {run_word}: previous numbers, those of the last published build, as of {_day(as_of)}"
                )
                log(f"province {code}: {rows:,} rows from {tables} tables of {path} ({status}, as of {_day(as_of)})")
                if not succeeded:
                    note(f"province {code}: latest run {run_word}; showing the numbers of {path} as of {_day(as_of)}")
                return ProvinceResult(**base, status=status, note=text, problem=None, numbers_from=FROM_PROVINCE_FILE,
                                      as_of=as_of, built_at=built_at, tables_taken=tables, rows_taken=rows)
            finally:
                execute(con, f"DETACH DATABASE IF EXISTS {PROVINCE}")
    if previous is not None and code in previous.provinces:
        as_of, built_at = previous.provinces[code]
        try:
            tables, rows = _copy_in_one_transaction(con, PREVIOUS_FILE, code, source.name, only_own_rows=True)
        except duckdb.Error as error:
            note(f"province {code}: the previous national file's rows could not be taken ({_classify(error)})")
            rows = 0
        if rows:
            note(f"province {code}: {path} {problem}; kept its {rows:,} rows of the previous national file, "
                 f"as of {_day(as_of)}")
            return ProvinceResult(
                **base, status=PREVIOUS_NATIONAL, problem=problem, numbers_from=FROM_PREVIOUS_NATIONAL,
                note=f"BI file {problem}: previous numbers, kept from the previous national file, as of {_day(as_of)}",
                as_of=as_of, built_at=built_at, tables_taken=tables, rows_taken=rows,
            )
    note(f"province {code}: {path} {problem}; no previous rows: the province has no rows")
    return ProvinceResult(**base, status=MISSING, problem=problem, numbers_from=None,
                          note=f"BI file {problem}, and no previous numbers", as_of=None, built_at=None,
                          tables_taken=0, rows_taken=0)


def _read_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a readable file, before DuckDB is asked; None when it may be."""
    if not path.exists():
        return "not found"
    if not path.is_file():
        return "not a file"
    if not os.access(path, os.R_OK):
        return "not readable (permission denied)"
    return None


def _classify(error: duckdb.Error) -> str:
    """What was wrong, in fixed words: DuckDB's message can quote a value of the file."""
    text = str(error).lower()
    if "checksum" in text or "corrupt" in text:
        return "corrupt (a block fails its checksum)"
    if "could not set lock" in text or "conflicting lock" in text:
        return "locked by another process (opened for writing)"
    if "not a valid duckdb database" in text or "version number" in text or "serializ" in text:
        return "not a readable DuckDB file (corrupt, or written by a newer DuckDB)"
    if isinstance(error, (duckdb.ConversionException, duckdb.BinderException, duckdb.TypeMismatchException)):
        return "has a column whose type does not match the other provinces'"
    if isinstance(error, duckdb.IOException):
        return "could not be read (input/output error)"
    return f"could not be read ({type(error).__name__})"


def _run_info(con: duckdb.DuckDBPyConnection, alias: str) -> tuple[dt.date | None, dt.datetime | None]:
    columns = _columns(con, alias, "run_info")
    if columns is None:
        raise NotABiFile
    as_of = "max(as_of)" if "as_of" in columns else "NULL"
    built_at = "max(built_at)" if "built_at" in columns else "NULL"
    return con.execute(f"SELECT {as_of}, {built_at} FROM {alias}.mart.run_info").fetchone()


def _copy_in_one_transaction(
    con: duckdb.DuckDBPyConnection, alias: str, code: str, name: str, *, only_own_rows: bool
) -> tuple[int, int]:
    """Append every mart table of ``alias`` (a province file, or with ``only_own_rows`` the
    previous national file's rows of ``code``) to the national tables; all or nothing."""
    execute(con, "BEGIN TRANSACTION")
    try:
        tables = rows = 0
        for table in _mart_tables(con, alias):
            if table in NATIONAL_TABLES:
                continue
            taken = _append_table(con, alias, table, code, name, only_own_rows=only_own_rows)
            if taken is not None:
                tables += 1
                rows += taken
        execute(con, "COMMIT")
    except BaseException:
        execute(con, "ROLLBACK")
        raise
    return tables, rows


def _append_table(
    con: duckdb.DuckDBPyConnection, alias: str, table: str, code: str, name: str, *, only_own_rows: bool
) -> int | None:
    """Append one table: CREATE on its first province, INSERT BY NAME when its columns are among
    the national table's with the same types, else the national table is rebuilt as itself
    UNION ALL BY NAME the province's rows (a province of another version). Returns the rows taken;
    None when the source has no province_code to filter on (previous file)."""
    columns = _columns(con, alias, table) or {}
    own = {c: t for c, t in columns.items() if c not in LEADING_COLUMNS}
    if only_own_rows and "province_code" not in columns:
        return None
    where = " WHERE province_code = $code" if only_own_rows else ""
    source = f"{alias}.mart.{_ident(table)}"
    select = (
        "SELECT CAST($code AS VARCHAR) AS province_code, CAST($name AS VARCHAR) AS province_name"
        + "".join(f", {_ident(c)}" for c in own)
        + f" FROM {source}{where}"
    )
    params = {"code": code, "name": name}
    target = f"{NATIONAL}.mart.{_ident(table)}"
    existing = _columns(con, NATIONAL, table)
    if existing is None:
        execute(con, f"CREATE TABLE {target} AS {select}", params)
    elif all(existing.get(c) == t for c, t in own.items()):
        execute(con, f"INSERT INTO {target} BY NAME {select}", params)
    else:
        execute(con, f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {target} UNION ALL BY NAME {select}", params)
    count_params = {"code": code} if only_own_rows else None
    return int(con.execute(f"SELECT count(*) FROM {source}{where}", count_params).fetchone()[0])


def _attach_previous(
    con: duckdb.DuckDBPyConnection, national_bi: Path, note: Callable[[str], None]
) -> _Previous | None:
    """The previous national file, attached read-only, if there is a readable one."""
    if not national_bi.is_file():
        return None
    try:
        execute(con, f"ATTACH $path AS {PREVIOUS_FILE} (READ_ONLY)", {"path": str(national_bi)})
    except duckdb.Error as error:
        note(f"previous national file {national_bi}: {_classify(error)}; no previous rows to fall back on")
        return None
    try:
        columns = _columns(con, PREVIOUS_FILE, "provinces") or {}
        if not {"province_code", "rows_taken"} <= set(columns):
            raise NotABiFile
        as_of = "as_of" if "as_of" in columns else "NULL"
        built_at = "built_at" if "built_at" in columns else "NULL"
        rows = con.execute(
            f"SELECT province_code, {as_of}, {built_at} FROM {PREVIOUS_FILE}.mart.provinces WHERE rows_taken > 0"
        ).fetchall()
        return _Previous({code: (day, moment) for code, day, moment in rows})
    except (duckdb.Error, NotABiFile):
        note(f"previous national file {national_bi}: not a readable national file; no previous rows to fall back on")
        execute(con, f"DETACH DATABASE IF EXISTS {PREVIOUS_FILE}")
        return None


# ---------------------------------------------------------------------------------------------
# The national tables


def _write_provinces(con: duckdb.DuckDBPyConnection, results: list[ProvinceResult]) -> None:
    run_sql_file(con, "national/provinces")
    if results:
        con.executemany(
            f"INSERT INTO {NATIONAL}.mart.provinces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [r.code, r.name, r.status, r.note, r.problem, r.numbers_from, r.as_of, r.built_at, r.bi_db,
                 r.last_run_status, r.last_run_id, r.tables_taken, r.rows_taken]
                for r in results
            ],
        )


def _write_ranking(con: duckdb.DuckDBPyConnection) -> None:
    units = _columns(con, NATIONAL, "units") or {}
    index = _columns(con, NATIONAL, "index_766") or {}
    needed_units = {"province_code", "agency_code", "agency_name", "parent_code", "alive_at_as_of"}
    needed_index = {"province_code", "scope_code", "period_type", "period_start", "period_end",
                    "indicator_code", "points", "max_points", "score_100"}
    if needed_units <= set(units) and needed_index <= set(index):
        run_sql_file(con, "national/ranking_inputs")
    else:
        run_sql_file(con, "national/ranking_inputs_empty")
    run_sql_file(con, "national/ranking")


def _table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        table: int(con.execute(f"SELECT count(*) FROM {NATIONAL}.mart.{_ident(table)}").fetchone()[0])
        for table in _mart_tables(con, NATIONAL)
    }


# ---------------------------------------------------------------------------------------------
# Helpers


def _check_sources(sources: list[ProvinceSource]) -> None:
    codes = [s.code for s in sources]
    if any(not isinstance(c, str) or not c.strip() for c in codes):
        raise ValueError("every province source needs a non-empty code")
    repeated = sorted(c for c, n in Counter(codes).items() if n > 1)
    if repeated:
        raise ValueError(f"province codes listed more than once: {', '.join(repeated)}")


def _mart_tables(con: duckdb.DuckDBPyConnection, alias: str) -> list[str]:
    names = [
        name for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = $db AND schema_name = 'mart' "
            "ORDER BY table_name", {"db": alias}
        ).fetchall()
    ]
    return [name for name in names if TABLE_NAME.fullmatch(name)]


def _columns(con: duckdb.DuckDBPyConnection, alias: str, table: str) -> dict[str, str] | None:
    """Column -> DuckDB type of ``alias.mart.table``, in order; None when there is no such table."""
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = $db AND schema_name = 'mart' AND table_name = $table ORDER BY column_index",
        {"db": alias, "table": table},
    ).fetchall()
    return dict(rows) if rows else None


def _ident(name: str) -> str:
    """A column or table name as a quoted SQL identifier (names come from a file's catalogue)."""
    return '"' + name.replace('"', '""') + '"'


def _detach_quietly(con: duckdb.DuckDBPyConnection, *aliases: str) -> None:
    try:
        execute(con, "ROLLBACK")
    except duckdb.Error:
        pass
    for alias in aliases:
        try:
            execute(con, f"DETACH DATABASE IF EXISTS {alias}")
        except duckdb.Error:
            pass


@contextmanager
def _build_lock(national_bi: Path, wait: float) -> Iterator[None]:
    """One national build at a time: it removes the candidates of earlier builds. Waits at most
    ``wait`` seconds (REFORM_LOCK_WAIT_SECONDS, docs/spec §3) for another build, then fails naming
    the lock file."""
    lock_path = national_bi.with_name(f".{national_bi.name}.lock")
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"another national build holds {lock_path}; waited {wait:.0f} s"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _day(day: dt.date | None) -> str:
    return "unknown" if day is None else day.isoformat()
