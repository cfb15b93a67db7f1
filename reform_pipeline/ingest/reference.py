"""Reference data: the metric catalogue, agencies (the unit tree with its history), unit changes,
procedures, calendar overrides, plan targets and rankings (docs/spec §2.2–2.7, §4.4). These
files are small and read whole every run; a repeated key keeps its last valid row.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import duckdb

from reform_pipeline.catalogue import load_catalogue
from reform_pipeline.ingest.db import prepare, query, transaction, value
from reform_pipeline.ingest.files import (
    FileReport, MissingInput, Progress, announce, ignored_sheets, record_files, sha256,
)
from reform_pipeline.ingest.readers import UnreadableFile, stage_source
from reform_pipeline.ingest.tree import check_tree, successor_loops
from reform_pipeline.ingest.validation import validate_reference_file
from reform_pipeline.warehouse import run_sql_file

log = logging.getLogger(__name__)

REFERENCE_KINDS = ("agencies", "unit_changes", "procedures", "calendar", "targets", "rankings")


def ingest_reference(
    con: duckdb.DuckDBPyConnection, files: dict[str, list[Path]], progress: Progress = log.info,
    skipped: list[FileReport] = (),
) -> list[FileReport]:
    """Load the metric catalogue (meta.metric_catalogue, meta.index_766_indicators,
    meta.ranking_indices), then read
    every agencies, unit_changes, procedures, calendar, targets and rankings file; store the valid
    rows. ``skipped``: the files of the raw folder not read (files.survey); those of these kinds
    are recorded with the files read, in the same batch (docs/spec §2.0, "What is read")."""
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
    # each reference file hashed once: its record (meta.input_files) and its kept copy use it
    digests = {path.name: sha256(path) for kind in REFERENCE_KINDS for path in files[kind]}

    def read(kind: str) -> None:
        # Reading stays outside the transactions: a file DuckDB fails to parse (and that is then
        # read another way) must not abort one.
        for order, path in enumerate(files[kind]):
            reports.append(read_reference_file(con, kind, path, order, progress, digests[path.name]))

    read("agencies")
    with transaction(con):
        run_sql_file(con, "ingest/reference_quarantine_clear")
        store_agencies(con)
    # unit changes, procedures and targets are checked against the units just stored
    read("unit_changes")
    with transaction(con):
        store_unit_changes(con)
    for kind in ("procedures", "calendar", "targets", "rankings"):
        read(kind)
    with transaction(con):
        run_sql_file(con, "ingest/reference_store")
        _count_quarantine(con, reports)
        paths = {path.name: path for kind in REFERENCE_KINDS for path in files[kind]}
        for report in reports:
            announce(report, progress)
        not_read = [(r, None, None) for r in skipped if r.kind in REFERENCE_KINDS]
        record_files(
            con, [(r, paths[r.file_name], digests[r.file_name]) for r in reports] + not_read, merged=True
        )
    if value(con, "ingest/agencies_count") == 0:
        raise MissingInput(
            "the agencies files hold no valid unit tree (no valid root unit without a valid_to: "
            "the province as it is now)"
        )
    return reports


def read_reference_file(con, kind: str, path: Path, order: int, progress: Progress, digest: str) -> FileReport:
    """Read one reference file and validate its rows into ``<kind>_candidates``. A file that
    cannot be read is read from its last readable version, where the warehouse keeps one (docs/spec
    §2.0, "A file that breaks later"): reported ``unreadable`` with that version's counts.
    ``digest``: the file's sha256."""
    try:
        report = _validate(con, kind, path, order)
    except UnreadableFile as exc:
        return _read_previous_version(con, kind, path, order, progress, str(exc))
    keep_copy(con, kind, path, digest)
    return report


def _validate(con, kind: str, path: Path, order: int) -> FileReport:
    source = stage_source(con, path)
    report = validate_reference_file(con, kind, path, source.headers, order)
    report.ignored_sheets = ignored_sheets(source, path)
    return report


def keep_copy(con, kind: str, path: Path, digest: str) -> None:
    """Keep the bytes of a reference file just read, for the night it turns unreadable. Skipped
    when the copy kept is of the same content (``digest``)."""
    if value(con, "ingest/reference_copy_hash", {"file_name": path.name}) != digest:
        run_sql_file(con, "ingest/reference_copy_store", {
            "file_name": path.name, "kind": kind, "sha256": digest, "content": path.read_bytes()})


def _read_previous_version(con, kind: str, path: Path, order: int, progress: Progress, reason: str) -> FileReport:
    content = value(con, "ingest/reference_copy_content", {"file_name": path.name})
    if content is None:
        progress(f"{path.name}: cannot be read, skipped ({reason})")
        return FileReport(path.name, kind, "unreadable", message=reason)
    with tempfile.TemporaryDirectory(prefix="reform-reference-") as folder:
        copy = Path(folder) / path.name
        copy.write_bytes(content)
        report = _validate(con, kind, copy, order)
    progress(f"{path.name}: cannot be read ({reason}); its last readable version is used")
    report.status, report.message, report.previous_version_kept = "unreadable", f"{reason} (previous version kept)", True
    return report


def store_agencies(con) -> None:
    """Resolve repeated codes (last valid row wins), check the tree, store units and closure
    (docs/spec §2.3)."""
    run_sql_file(con, "ingest/agencies_latest")
    tree = check_tree(query(con, "ingest/agencies_units"))
    run_sql_file(
        con,
        "ingest/agencies_tree",
        {
            "rejected_codes": list(tree.rejected), "reasons": list(tree.rejected.values()),
            "kept_codes": list(tree.depth), "depths": list(tree.depth.values()),
        },
    )
    run_sql_file(con, "ingest/agencies_store")
    run_sql_file(
        con,
        "ingest/unit_closure_store",
        {
            "ancestors": [a for a, _, _ in tree.closure],
            "descendants": [d for _, d, _ in tree.closure],
            "distances": [n for _, _, n in tree.closure],
        },
    )


def store_unit_changes(con) -> None:
    """Keep the last valid row per ended unit, reject every row on a loop of successors, store
    staging.unit_changes (docs/spec §2.6). No file: an empty table."""
    run_sql_file(con, "ingest/unit_changes_latest")
    looped = successor_loops(query(con, "ingest/unit_changes_pairs"))
    run_sql_file(con, "ingest/unit_changes_store", {"looped": sorted(looped)})


def _count_quarantine(con, reports: list[FileReport]) -> None:
    counts = dict(query(con, "ingest/reference_quarantine_counts"))
    for report in reports:
        report.rows_quarantined = counts.get(report.file_name, 0)
