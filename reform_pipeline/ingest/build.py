"""The ingest stage: raw files → staging tables + quarantine (SPEC §2).

Reference files (agencies, procedures, calendar, targets) are small and read whole every run.
Dossier exports are ingested once each, recognised by content hash; a nightly run reads only the
new exports and merges them into the latest-version table, so its cost follows the new files,
not the history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from reform_pipeline.catalogue import load_catalogue
from reform_pipeline.ingest.columns import (
    KINDS,
    canonical_columns,
    kind_of_file,
    map_headers,
)
from reform_pipeline.ingest.readers import (
    UnreadableFile,
    column_names,
    group_files,
    split_group,
    stage_group,
    stage_source,
)
from reform_pipeline.ingest.tree import check_tree
from reform_pipeline.settings import ConfigError, check_as_of_not_after, today_in_vietnam
from reform_pipeline.warehouse import execute, run_sql_file, scalar, table_exists

log = logging.getLogger(__name__)

_FILES_LISTED_PER_CHUNK = 30
TIMESTAMP_COLUMNS = (
    "submitted_at", "received_at", "due_at", "finished_at", "returned_at",
    "supplement_requested_at", "supplement_received_at", "updated_at",
)
# Codes, flags and whole numbers a Parquet export may store as integers (booleans as 1/0).
TYPED_NUMBER_COLUMNS = (
    "channel", "service_level", "status", "supplement_count", "fee_amount", "paid_online",
    "digitized_components", "result_attached", "rating", "complaint",
)
# SPEC §3's default as-of: the latest received, finished, returned or updated date of a valid row.
_LATEST_DATA_DATE = (
    "SELECT CAST(greatest(max(received_at), max(finished_at), max(returned_at), max(updated_at)) AS DATE) "
    "FROM staging.dossier_rows WHERE reason IS NULL"
)
# SPEC §3: a REFORM_AS_OF before the earliest received date of a valid dossier (accepted or not)
# stops the run. Read only when REFORM_AS_OF is set.
_EARLIEST_RECEIVED_DATE = "SELECT CAST(min(received_at) AS DATE) FROM staging.dossier_rows WHERE reason IS NULL"
# The rows of the exports being merged (the temporary table ingest_batch). batch_seq >=
# $first_batch only lets the zone maps skip the history's row groups; the file names decide (the
# same filter as ingest/dossiers_merge.sql's candidates).
_IN_BATCH = "batch_seq >= $first_batch AND source_file IN (SELECT file_name FROM ingest_batch)"
# Above this share of new rows, rebuilding the latest-version table beats merging into it.
_FULL_REBUILD_SHARE = 0.25


class MissingInput(RuntimeError):
    """A required input is absent: the run cannot produce anything meaningful."""


@dataclass
class FileReport:
    file_name: str
    kind: str
    status: str  # ingested, unchanged, duplicate, unreadable
    rows_read: int = 0
    rows_quarantined: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    message: str = ""


Progress = Callable[[str], None]


def discover(raw_dir: Path) -> dict[str, list[Path]]:
    """Input files by kind, each list in name order (SPEC §2: files of one kind read in name order)."""
    if not raw_dir.is_dir():
        raise MissingInput(f"the raw folder {raw_dir} does not exist (set REFORM_RAW_DIR)")
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for path in sorted(raw_dir.iterdir(), key=lambda p: p.name):
        kind = kind_of_file(path.name)
        if kind and path.is_file():
            found[kind].append(path)
    return found


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Create the warehouse tables if needed (upgrading an earlier layout) and this
    connection's value-rule macros."""
    if table_exists(con, "staging", "dossier_applicants"):
        with _transaction(con):
            run_sql_file(con, "ingest/schema_upgrade")
        log.info("warehouse upgraded: personal data now in staging.dossier_rows")
    if table_exists(con, "staging", "dossiers", base_table=True):
        with _transaction(con):
            run_sql_file(con, "ingest/dossiers_view_upgrade")
        log.info("warehouse upgraded: staging.dossiers is now a view over the latest rows of "
                 "staging.dossier_rows; this run rebuilds the latest versions in full")
    run_sql_file(con, "ingest/schema")
    run_sql_file(con, "ingest/macros")


# --- reference data --------------------------------------------------------------------------


def ingest_reference(
    con: duckdb.DuckDBPyConnection, files: dict[str, list[Path]], progress: Progress = log.info
) -> list[FileReport]:
    """Load the metric catalogue (meta.metric_catalogue, meta.index_766_indicators), then read
    every agencies, procedures, calendar and targets file; store the valid rows."""
    for kind in ("agencies", "procedures"):
        if not files[kind]:
            raise MissingInput(
                f"no {kind} file: expected a file named {kind}*.csv, {kind}*.xlsx or "
                f"{kind}*.parquet in the raw folder"
            )
    prepare(con)
    # the metric catalogue of the code that runs: the targets' kpi codes are checked against it
    load_catalogue(con)
    run_sql_file(con, "ingest/reference_setup")
    reports: list[FileReport] = []
    # Reading stays outside the transaction: a file DuckDB fails to parse (and that is then
    # read another way) must not abort it.
    for order, path in enumerate(files["agencies"]):
        reports.append(_read_reference_file(con, "agencies", path, order, progress))
    with _transaction(con):
        execute(con, "DELETE FROM meta.quarantine WHERE kind IN ('agencies', 'procedures', 'calendar', 'targets')")
        _store_agencies(con)
    # procedures and targets are checked against the units just stored
    for kind in ("procedures", "calendar", "targets"):
        for order, path in enumerate(files[kind]):
            reports.append(_read_reference_file(con, kind, path, order, progress))
    with _transaction(con):
        run_sql_file(con, "ingest/reference_store")
        _count_reference_quarantine(con, reports)
        paths = {path.name: path for kind_files in files.values() for path in kind_files}
        for report in reports:
            _announce(report, progress)
        _record_files(con, [(r, paths[r.file_name], _sha256(paths[r.file_name])) for r in reports], merged=True)
    if scalar(con, "SELECT count(*) FROM staging.agencies") == 0:
        raise MissingInput("the agencies files hold no valid unit tree (no valid root unit)")
    return reports


def _read_reference_file(con, kind: str, path: Path, order: int, progress: Progress) -> FileReport:
    try:
        source = stage_source(con, path)
    except UnreadableFile as exc:
        progress(f"{path.name}: cannot be read, skipped ({exc})")
        return FileReport(path.name, kind, "unreadable", message=str(exc))
    header_map = map_headers(kind, source.headers)
    _create_landing(con, kind, header_map.positions, len(source.headers))
    run_sql_file(
        con,
        f"ingest/{kind}_rows",
        {"source_file": path.name, "file_order": order, "headers": list(header_map.headers)},
    )
    rows = scalar(con, "SELECT count(*) FROM landing")
    return FileReport(path.name, kind, "ingested", rows_read=rows, unknown_columns=_unused_columns(header_map))


def _store_agencies(con) -> None:
    """Resolve repeated codes (last valid row wins), check the tree, store units and closure."""
    execute(con,
        "CREATE OR REPLACE TEMP TABLE agencies_latest AS SELECT * FROM agencies_candidates "
        "WHERE reason IS NULL QUALIFY row_number() OVER (PARTITION BY agency_code "
        "ORDER BY file_order DESC, row_number DESC) = 1 ORDER BY file_order, row_number"
    )
    units = con.execute("SELECT agency_code, parent_code FROM agencies_latest ORDER BY file_order, row_number").fetchall()
    tree = check_tree(units)
    # Lists bound as parameters and unnested: one statement per table, whatever the tree's size.
    execute(
        con,
        "CREATE OR REPLACE TEMP TABLE agency_tree_rejects AS "
        "SELECT unnest($codes) AS agency_code, unnest($reasons) AS reason",
        {"codes": list(tree.rejected), "reasons": list(tree.rejected.values())},
    )
    execute(
        con,
        "CREATE OR REPLACE TEMP TABLE agency_depths AS "
        "SELECT unnest($codes) AS agency_code, CAST(unnest($depths) AS INTEGER) AS depth",
        {"codes": list(tree.depth), "depths": list(tree.depth.values())},
    )
    run_sql_file(con, "ingest/agencies_store")
    execute(con, "DELETE FROM staging.unit_closure")
    execute(
        con,
        "INSERT INTO staging.unit_closure SELECT unnest($ancestors), unnest($descendants), unnest($distances)",
        {
            "ancestors": [a for a, _, _ in tree.closure],
            "descendants": [d for _, d, _ in tree.closure],
            "distances": [n for _, _, n in tree.closure],
        },
    )


def _count_reference_quarantine(con, reports: list[FileReport]) -> None:
    counts = dict(
        con.execute(
            "SELECT source_file, count(*) FROM meta.quarantine "
            "WHERE kind IN ('agencies', 'procedures', 'calendar', 'targets') GROUP BY source_file"
        ).fetchall()
    )
    for report in reports:
        report.rows_quarantined = counts.get(report.file_name, 0)


# --- dossier exports -------------------------------------------------------------------------


def ingest_dossiers(
    con: duckdb.DuckDBPyConnection, paths: list[Path], progress: Progress = log.info, *,
    run_day: dt.date | None = None,
) -> tuple[list[FileReport], str]:
    """Ingest the dossier exports not seen before; merge them into staging.dossiers.

    ``run_day``: the day the run starts, in Vietnam (default: today there). An event timestamp
    dated after it is bad_timestamp (SPEC §2.1)."""
    run_day = run_day or today_in_vietnam()
    prepare(con)
    if not paths and not scalar(con, "SELECT count(*) FROM meta.input_files WHERE kind = 'dossiers' AND status = 'ingested'"):
        raise MissingInput(
            "no dossiers file: expected files named dossiers*.csv, dossiers*.xlsx or "
            "dossiers*.parquet in the raw folder"
        )
    known = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT file_name, sha256, size_bytes, modified_at, status FROM meta.input_files "
            "WHERE kind = 'dossiers'"
        ).fetchall()
    }
    ingested_hashes = dict(
        con.execute(
            "SELECT sha256, file_name FROM meta.input_files WHERE kind = 'dossiers' AND status = 'ingested'"
        ).fetchall()
    )
    reports: list[FileReport] = []
    to_read: dict[str, tuple[str, object]] = {}  # file name -> (sha256, what was known of it)
    new_files = [p for p in paths if not _unchanged(p, known.get(p.name))]
    for path in new_files:
        sha = _sha256(path)
        report = _skip_reason(con, path, sha, known.get(path.name), ingested_hashes)
        if report is not None:
            reports.append(report)
            _announce(report, progress)
        else:
            ingested_hashes[sha] = path.name
            to_read[path.name] = (sha, known.get(path.name))

    groups, singles = group_files([p for p in new_files if p.name in to_read])
    pending = list(groups)
    while pending:
        group = pending.pop(0)
        try:
            typed = stage_group(con, group)
            reports += _validate(con, list(group.paths), list(group.headers), typed, to_read, run_day, progress)
        except duckdb.Error:
            # One of its files is broken (an irregular row, bytes that are not UTF-8 …): read each
            # half as a group again, down to the broken files, which are then read alone. Reading
            # every file of the group alone instead was far slower
            # (docs/decisions/0005-csv-reading.md).
            if len(group.paths) == 1:
                singles.extend(group.paths)
            else:
                pending[:0] = split_group(group)
    for path in sorted(singles, key=lambda p: p.name):
        try:
            source = stage_source(con, path)
        except UnreadableFile as exc:
            report = FileReport(path.name, "dossiers", "unreadable", message=str(exc))
            _record_file(con, report, path, merged=True, sha=to_read[path.name][0])
            _announce(report, progress)
            continue
        reports += _validate(con, [path], source.headers, source.typed, to_read, run_day, progress)
    changed = set(new_files)
    reports += [FileReport(p.name, "dossiers", "unchanged") for p in paths if p not in changed]
    _quarantine_future_events(con, run_day, progress)
    mode = merge_dossiers(con)
    return reports, mode


def _quarantine_future_events(con: duckdb.DuckDBPyConnection, run_day: dt.date, progress: Progress) -> None:
    """Quarantine the stored rows with an event dated after ``run_day`` (SPEC §2.1). Rows
    validated under that rule never hold one (their events lie on or before an earlier run's
    day), so only a warehouse whose latest valid date is after the run's day (rows read before
    the rule, a 2099 typed for 2025) has any: a look at meta.ingest_state, not at the rows, on
    every other night. The next merge then rebuilds the latest versions and the latest date."""
    latest = scalar(con, "SELECT max(latest_data_date) FROM meta.ingest_state")
    if latest is None or latest <= run_day:
        return
    with _transaction(con):
        run_sql_file(con, "ingest/dossier_future_recheck", {"run_day": run_day})
        run_sql_file(con, "ingest/dossier_quarantine_counts")
        execute(con, "UPDATE meta.ingest_state SET needs_full_rebuild = TRUE")
        moved = scalar(con, "SELECT count(*) FROM future_event_rows")
    progress(f"{moved} stored dossier row(s) dated after {run_day} quarantined as bad_timestamp")


def _unchanged(path: Path, known) -> bool:
    """Same name, size and modification time as an ingested file: skip without hashing."""
    if known is None:
        return False
    _, size, modified, status = known
    stat = path.stat()
    return status in ("ingested", "duplicate") and size == stat.st_size and modified == _mtime(stat)


def _mtime(stat) -> dt.datetime:
    return dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _skip_reason(con, path: Path, sha: str, known, ingested_hashes: dict[str, str]) -> FileReport | None:
    """Why an export need not be read (its content is already ingested), or None."""
    if known is not None and known[0] == sha:
        # Touched but not changed: remember the new time so the next run need not hash it.
        report = FileReport(path.name, "dossiers", known[3], message="content unchanged")
        _record_file(con, report, path, merged=True, sha=sha, keep_counts=True)
        return report
    if sha in ingested_hashes and ingested_hashes[sha] != path.name:
        report = FileReport(
            path.name, "dossiers", "duplicate",
            message=f"same content as {ingested_hashes[sha]}, already ingested: not counted again",
        )
        with _transaction(con):
            if known is not None:
                # The name held other rows before: they are gone from the export now.
                _forget_rows(con, path.name)
            _record_file(con, report, path, merged=True, sha=sha)
        return report
    return None


def _validate(
    con, paths: list[Path], headers: list[str], typed: dict[int, str], to_read: dict, run_day: dt.date,
    progress: Progress,
) -> list[FileReport]:
    """Validate the files that ``source_rows`` shows, in one pass, and store the results in one
    transaction: a crash leaves all of them or none (the next run reads them again)."""
    header_map = map_headers("dossiers", headers)
    _create_dossier_landing(con, header_map.positions, len(headers), typed)
    canonical = canonical_columns("dossiers")
    extras = sorted(set(range(len(headers))) - set(header_map.positions.values()))
    raw_keys = {
        "raw_headers": [
            header_map.headers[header_map.positions[column]] if column in header_map.positions else None
            for column in canonical
        ],
        "extra_headers": [header_map.headers[position] for position in extras],
    }
    replaced = {path.name for path in paths if to_read[path.name][1] is not None}
    with _transaction(con):
        for name in sorted(replaced):
            _forget_rows(con, name)  # a re-sent export under the same name replaces its content
        batch = scalar(con, "SELECT nextval('meta.dossier_batches')")
        run_sql_file(con, "ingest/dossier_rows", {**raw_keys, "batch_seq": batch, "run_day": run_day})
        counts = {
            name: (read, rejected)
            for name, read, rejected in con.execute(
                "SELECT source_file, count(*), count(reason) FROM staging.dossier_rows "
                "WHERE batch_seq = $batch GROUP BY source_file",
                {"batch": batch},
            ).fetchall()
        }
        reports = [
            FileReport(
                path.name, "dossiers", "ingested", *counts.get(path.name, (0, 0)), _unused_columns(header_map),
                message="replaced the earlier content of this file" if path.name in replaced else "",
            )
            for path in paths
        ]
        _record_files(con, [(r, p, to_read[p.name][0]) for r, p in zip(reports, paths)], merged=False, batch=batch)
    progress(
        f"validated {len(paths)} file(s): {sum(r.rows_read for r in reports)} rows read, "
        f"{sum(r.rows_quarantined for r in reports)} quarantined"
    )
    # one line per file where a person reads them; a national backfill gets the chunk totals
    # (every file's counts are in meta.input_files and the BI file's run_info)
    if len(reports) <= _FILES_LISTED_PER_CHUNK:
        for report in reports:
            _announce(report, progress)
    return reports


@contextlib.contextmanager
def _transaction(con):
    execute(con, "BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        execute(con, "ROLLBACK")
        raise
    execute(con, "COMMIT")


def _forget_rows(con, file_name: str) -> None:
    """Remove every row an export contributed; the latest-version table is then rebuilt."""
    execute(con, "DELETE FROM staging.dossier_rows WHERE source_file = ?", [file_name])
    execute(con, "DELETE FROM meta.quarantine WHERE kind = 'dossiers' AND source_file = ?", [file_name])
    execute(con, "UPDATE meta.ingest_state SET needs_full_rebuild = TRUE")


def merge_dossiers(con: duckdb.DuckDBPyConnection) -> str:
    """Bring staging.dossiers up to date with every ingested export not merged yet."""
    fingerprint = scalar(
        con,
        "SELECT md5(coalesce((SELECT string_agg(agency_code, ',' ORDER BY agency_code) FROM staging.agencies), '')"
        " || '|' || coalesce((SELECT string_agg(procedure_code, ',' ORDER BY procedure_code) FROM staging.procedures), ''))",
    )
    states = con.execute(
        "SELECT reference_fingerprint, needs_full_rebuild, latest_data_date, dossier_key_hash, "
        "quarantine_counts_current FROM meta.ingest_state"
    ).fetchall()
    state = states[0] if states else None
    if state is not None and not state[4]:
        # a warehouse from before the counts followed the re-checks (SPEC §5 run_info)
        with _transaction(con):
            run_sql_file(con, "ingest/dossier_quarantine_counts")
            execute(con, "UPDATE meta.ingest_state SET quarantine_counts_current = TRUE")
    execute(con,
        "CREATE OR REPLACE TEMP TABLE ingest_batch AS SELECT file_name FROM meta.input_files "
        "WHERE kind = 'dossiers' AND status = 'ingested' AND NOT merged"
    )
    pending = scalar(con, "SELECT count(*) FROM ingest_batch")
    # Rows are checked against the reference data of the run that reads them; only rows read
    # under an earlier unit tree or catalogue need a re-check.
    first_merge = state is None
    reference_changed = not first_merge and state[0] != fingerprint
    if not pending and not reference_changed and not (state and state[1]):
        return "none"
    # the smallest validation batch of the files to merge: their rows lie in batches from there on
    # (0, i.e. everywhere, when a file was recorded before batches were numbered)
    first_batch = scalar(
        con,
        "SELECT CASE WHEN count(*) = count(batch_seq) THEN coalesce(min(batch_seq), 0) ELSE 0 END "
        "FROM meta.input_files WHERE file_name IN (SELECT file_name FROM ingest_batch)",
    )
    key_hash = scalar(con, "SELECT id_key($text)", {"text": _DOSSIER_KEY_PROBE})
    with _transaction(con):
        _refresh_dossier_keys(con, state, key_hash)
        if reference_changed:
            run_sql_file(con, "ingest/dossier_recheck")
            # the re-check moved rows in and out of the quarantine: run_info must count them as
            # it does (SPEC §5)
            run_sql_file(con, "ingest/dossier_quarantine_counts")
        new_rows = scalar(
            con, f"SELECT count(*) FROM staging.dossier_rows WHERE {_IN_BATCH}", {"first_batch": first_batch}
        )
        # every stored row, valid or not: counted from the table's own statistics, where the
        # valid ones alone would be a pass over the history
        all_rows = scalar(con, "SELECT count(*) FROM staging.dossier_rows")
        full = first_merge or reference_changed or state[1] or new_rows > _FULL_REBUILD_SHARE * all_rows
        if full:
            run_sql_file(con, "ingest/dossiers_latest")
        else:
            run_sql_file(con, "ingest/dossiers_merge", {"first_batch": first_batch})
        if full or state[2] is None:
            latest = scalar(con, _LATEST_DATA_DATE)
        else:
            # rows are only added since the last merge (a removal forces a full one): the new
            # rows can only move the latest date forward
            new_latest = scalar(con, f"{_LATEST_DATA_DATE} AND {_IN_BATCH}", {"first_batch": first_batch})
            latest = max(d for d in (state[2], new_latest) if d is not None)
        execute(con, "UPDATE meta.input_files SET merged = TRUE WHERE file_name IN (SELECT file_name FROM ingest_batch)")
        execute(con, "DELETE FROM meta.ingest_state")
        execute(
            con,
            "INSERT INTO meta.ingest_state (reference_fingerprint, needs_full_rebuild, latest_data_date, "
            "dossier_key_hash, quarantine_counts_current) VALUES (?, FALSE, ?, ?, TRUE)",
            [fingerprint, latest, key_hash],
        )
    return "full" if full else "incremental"


# The id whose id_key() stands for the key function (ingest/macros.sql) and DuckDB's hash() in
# meta.ingest_state.dossier_key_hash: a change of either changes it. Dated, so that both parts
# of the key are exercised.
_DOSSIER_KEY_PROBE = "HS-000.00.00.H00 Đ-250101-0001"
_RECOMPUTE_KEYS = (
    "UPDATE staging.dossier_rows SET dossier_key = id_key(dossier_id) "
    "WHERE dossier_key IS DISTINCT FROM id_key(dossier_id)"
)


def _refresh_dossier_keys(con: duckdb.DuckDBPyConnection, state: tuple | None, key_hash: int) -> None:
    """Make every stored dossier_key equal id_key(dossier_id) under this DuckDB.

    The keys are written with each row (ingest/dossier_rows.sql). DuckDB does not promise that
    hash() stays the same across releases, and the key's form may change with the pipeline: when
    the probe's key recorded by the last merge differs from today's (or none was recorded: a
    warehouse from before the keys), every key is computed again, once. A key that went stale would hide a dossier's current row from the
    nightly merge."""
    if state is None:
        # The first merge: the rows were written by this run's DuckDB, unless an earlier run
        # (perhaps under another DuckDB) stopped before its merge. Each validation batch is one
        # statement under one DuckDB, so its first row speaks for all of its rows.
        stale = scalar(
            con,
            "SELECT count(*) FROM staging.dossier_rows "
            "WHERE rowid IN (SELECT min(rowid) FROM staging.dossier_rows GROUP BY batch_seq) "
            "AND dossier_key IS DISTINCT FROM id_key(dossier_id)",
        )
        if stale:
            execute(con, _RECOMPUTE_KEYS)
    elif state[3] != key_hash:
        log.info("computing the dossier keys of every stored row (once after a DuckDB upgrade)")
        execute(con, _RECOMPUTE_KEYS)


# --- as-of -----------------------------------------------------------------------------------


def settle_as_of(
    con: duckdb.DuckDBPyConnection, configured: dt.date | None, run_day: dt.date | None = None
) -> tuple[dt.date, str]:
    """SPEC §3: REFORM_AS_OF, else the latest date among valid dossier rows.

    ``run_day``: the day the run starts, in Vietnam (default: today there). A REFORM_AS_OF after
    it, or before the earliest received date of a valid dossier, raises ConfigError: the run
    stops here, after the ingest and before anything is modelled or published. The default
    cannot be after it: an event dated later is quarantined (SPEC §2.1)."""
    run_day = run_day or today_in_vietnam()
    if configured is not None:
        # also checked when the setting is read (settings.parse_as_of), against that moment's day
        check_as_of_not_after(configured, run_day)
        earliest = scalar(con, _EARLIEST_RECEIVED_DATE)
        if earliest is not None and configured < earliest:
            raise ConfigError(
                f"REFORM_AS_OF={configured.isoformat()} is before the earliest received date in the "
                f"data ({earliest.isoformat()}): nothing to measure; set a date on or after it"
            )
        as_of, source = configured, "REFORM_AS_OF"
    else:
        # kept by every merge (merge_dossiers); a warehouse not merged since it gained the column
        # computes it here
        as_of = scalar(con, "SELECT max(latest_data_date) FROM meta.ingest_state")
        if as_of is None:
            as_of = scalar(con, _LATEST_DATA_DATE)
        source = "latest date in the data"
        if as_of is None:
            as_of, source = run_day, "today (no valid dossier dates)"
    execute(con, "DELETE FROM meta.run_context")
    execute(con, "INSERT INTO meta.run_context VALUES (?, ?, current_localtimestamp())", [as_of, source])
    return as_of, source


# --- shared ----------------------------------------------------------------------------------


def landing_select(kind: str, positions: dict[str, int], width: int) -> str:
    """The SELECT list that turns positional columns c0…cN into the canonical columns of ``kind``.

    Only our own names appear in this SQL: canonical column names and the positional c0…cN.
    """
    names = column_names(width)
    picks = [
        f"{names[positions[column]]} AS {column}" if column in positions else f"CAST(NULL AS VARCHAR) AS {column}"
        for column in canonical_columns(kind)
    ]
    raw = f"[{', '.join(names)}]" if names else "CAST([] AS VARCHAR[])"
    return "SELECT source_file, row_number, malformed, " + ", ".join(picks) + f", {raw} AS raw_values"


def _create_dossier_landing(con, positions: dict[str, int], width: int, typed: dict[int, str]) -> None:
    """The view ``landing`` for dossier exports: each canonical column's raw text as raw_<name>,
    the file's other columns as the list extra_values (both kept for the quarantine), and each
    timestamp, code, flag or number column as typed_<name> where the file stores it typed
    (Parquet; else NULL: read from text). A typed value has no raw_<name> text: turning every
    value into text cost more than the validation of it; the text is made only for rejected
    rows (raw_ts and raw_number in the validation SQL)."""
    names = column_names(width)

    def typed_as(column: str) -> str | None:
        """The class of the typed value the file holds for ``column``, if it is the one it needs."""
        kind = typed.get(positions[column]) if column in positions else None
        wanted = "timestamp" if column in TIMESTAMP_COLUMNS else "integer" if column in TYPED_NUMBER_COLUMNS else None
        return kind if kind == wanted else None

    picks = [
        f"{names[positions[column]]} AS raw_{column}"
        if column in positions and not typed_as(column)
        else f"CAST(NULL AS VARCHAR) AS raw_{column}"
        for column in canonical_columns("dossiers")
    ]
    picks += [
        f"t{positions[column]} AS typed_{column}" if typed_as(column)
        else f"CAST(NULL AS TIMESTAMP) AS typed_{column}"
        for column in TIMESTAMP_COLUMNS
    ]
    picks += [
        f"t{positions[column]} AS typed_{column}" if typed_as(column)
        else f"CAST(NULL AS BIGINT) AS typed_{column}"
        for column in TYPED_NUMBER_COLUMNS
    ]
    extras = [names[position] for position in range(width) if position not in positions.values()]
    extra = f"[{', '.join(extras)}]" if extras else "CAST([] AS VARCHAR[])"
    execute(
        con,
        "CREATE OR REPLACE TEMP VIEW landing AS SELECT source_file, row_number, malformed, "
        + ", ".join(picks) + f", {extra} AS extra_values FROM source_rows",
    )


def _create_landing(con, kind: str, positions: dict[str, int], width: int) -> None:
    """The view ``landing`` over ``source_rows`` (reference files, read one at a time)."""
    execute(con, "CREATE OR REPLACE TEMP VIEW landing AS " + landing_select(kind, positions, width) + " FROM source_rows")


def _unused_columns(header_map) -> list[str]:
    """Headers kept out of the marts: unknown ones, and repeats of a column already taken."""
    return list(header_map.unknown) + [f"{name} (repeated)" for name in header_map.repeated]


def _record_file(
    con, report: FileReport, path: Path, *, merged: bool, sha: str | None = None, keep_counts: bool = False
) -> None:
    if keep_counts:
        previous = con.execute(
            "SELECT rows_read, rows_quarantined, unknown_columns FROM meta.input_files WHERE file_name = ?",
            [report.file_name],
        ).fetchall()
        if previous:
            report.rows_read, report.rows_quarantined = previous[0][0], previous[0][1]
            report.unknown_columns = previous[0][2] or []
    _record_files(con, [(report, path, sha or _sha256(path))], merged=merged)


def _record_files(
    con, entries: list[tuple[FileReport, Path, str]], *, merged: bool, batch: int | None = None
) -> None:
    """Write the meta.input_files rows of many files in two statements; ``batch``: the
    validation batch that wrote their dossier rows."""
    stats = [path.stat() for _, path, _ in entries]
    columns = {
        "names": [report.file_name for report, _, _ in entries],
        "kinds": [report.kind for report, _, _ in entries],
        "hashes": [sha for _, _, sha in entries],
        "sizes": [stat.st_size for stat in stats],
        "modified": [_mtime(stat) for stat in stats],
        "statuses": [report.status for report, _, _ in entries],
        "messages": [report.message for report, _, _ in entries],
        "read": [report.rows_read for report, _, _ in entries],
        "quarantined": [report.rows_quarantined for report, _, _ in entries],
        "unknown": [report.unknown_columns for report, _, _ in entries],
    }
    execute(con, "DELETE FROM meta.input_files WHERE file_name IN (SELECT unnest($names))", {"names": columns["names"]})
    execute(
        con,
        "INSERT INTO meta.input_files SELECT unnest($names), unnest($kinds), unnest($hashes), "
        "unnest($sizes), unnest($modified), unnest($statuses), unnest($messages), unnest($read), "
        "unnest($quarantined), unnest($unknown, max_depth := 1), NULL, current_localtimestamp(), $merged, "
        "CAST($batch AS BIGINT)",
        {**columns, "merged": merged, "batch": batch},
    )


def _announce(report: FileReport, progress: Progress) -> None:
    extra = f", unknown columns: {', '.join(report.unknown_columns)}" if report.unknown_columns else ""
    progress(
        f"{report.file_name}: {report.rows_read} rows read, "
        f"{report.rows_quarantined} quarantined{extra}"
    )
