"""The ingest stage: raw files → staging tables + quarantine (docs/spec §2).

The stage's two entry points, ``ingest_reference`` (ingest/reference.py) and ``ingest_dossiers``
(here), and what the callers of the stage use. Reference files (agencies, procedures, calendar,
targets) are small and read whole every run. Dossier exports are ingested once each, recognised
by content hash; a nightly run reads only the new exports and merges them into the
latest-version table, so its cost follows the new files, not the history.

The parts, one concern each: ingest/files.py (finding files, what changed, meta.input_files),
ingest/readers.py (reading a file into ``source_rows``), ingest/validation.py (landing views,
row validation), ingest/reference.py (reference data), ingest/merge.py (latest versions),
ingest/as_of.py (the as-of date), ingest/db.py (the SQL files of sql/ingest/).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import duckdb

from reform_pipeline.ingest.as_of import settle_as_of
from reform_pipeline.ingest.db import prepare
from reform_pipeline.ingest.files import (
    FileReport,
    MissingInput,
    Progress,
    ToRead,
    any_export_ingested,
    announce,
    discover,
    ignored_sheets,
    ingested_hashes,
    keep_previous,
    known_exports,
    record_file,
    record_ignored_sheets,
    sha256,
    skip_reason,
    unchanged,
)
from reform_pipeline.ingest.merge import merge_dossiers, quarantine_future_events
from reform_pipeline.ingest.readers import UnreadableFile, group_files, split_group, stage_group, stage_source
from reform_pipeline.ingest.reference import ingest_reference
from reform_pipeline.ingest.validation import validate_dossiers
from reform_pipeline.settings import today_in_vietnam

__all__ = [
    "FileReport", "MissingInput", "discover", "ingest_dossiers", "ingest_reference", "merge_dossiers",
    "settle_as_of",
]

log = logging.getLogger(__name__)


def ingest_dossiers(
    con: duckdb.DuckDBPyConnection, paths: list[Path], progress: Progress = log.info, *,
    run_day: dt.date | None = None,
) -> tuple[list[FileReport], str]:
    """Ingest the dossier exports not seen before; merge them into staging.dossiers.

    ``run_day``: the day the run starts, in Vietnam (default: today there). An event timestamp
    dated after it is bad_timestamp (docs/spec §2.1)."""
    run_day = run_day or today_in_vietnam()
    prepare(con)
    if not paths and not any_export_ingested(con):
        raise MissingInput(
            "no dossiers file: expected files named dossiers*.csv, dossiers*.xlsx or "
            "dossiers*.parquet in the raw folder"
        )
    known = known_exports(con)
    hashes = ingested_hashes(con)
    reports: list[FileReport] = []
    to_read: dict[str, ToRead] = {}
    new_files = [p for p in paths if not unchanged(p, known.get(p.name))]
    for path in new_files:
        sha = sha256(path)
        report = skip_reason(con, path, sha, known.get(path.name), hashes)
        if report is not None:
            reports.append(report)
            announce(report, progress)
        else:
            hashes[sha] = path.name
            to_read[path.name] = ToRead(sha, known.get(path.name))

    groups, singles = group_files([p for p in new_files if p.name in to_read])
    pending = list(groups)
    while pending:
        group = pending.pop(0)
        try:
            typed = stage_group(con, group)
            validated = validate_dossiers(con, list(group.paths), list(group.headers), typed, to_read, run_day, progress)
            for path, report in zip(group.paths, validated):
                record_ignored_sheets(con, report, ignored_sheets(group, path))
            reports += validated
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
            known = to_read[path.name].known
            if known is not None and known.has_rows:
                # A corrupt re-send of an ingested export: the rows of its last readable version
                # stay in use (docs/spec §2.0, "A file that breaks later").
                report = keep_previous(con, path.name, "unreadable", str(exc))
            else:
                report = FileReport(path.name, "dossiers", "unreadable", message=str(exc))
                record_file(con, report, path, merged=True, sha=to_read[path.name].sha256)
            progress(f"{path.name}: unreadable ({report.message})")
            reports.append(report)
            continue
        validated = validate_dossiers(con, [path], source.headers, source.typed, to_read, run_day, progress)
        for report in validated:
            record_ignored_sheets(con, report, ignored_sheets(source, path))
        reports += validated
    changed = set(new_files)
    reports += [FileReport(p.name, "dossiers", "unchanged") for p in paths if p not in changed]
    quarantine_future_events(con, run_day, progress)
    mode = merge_dossiers(con)
    return reports, mode
