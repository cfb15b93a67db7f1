"""The input files: which there are, which changed since the last run, and what
meta.input_files records of each (docs/spec §2: files recognised by name prefix; a dossier
export is ingested once, recognised by its content).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb

from reform_pipeline.ingest.columns import KINDS, kind_of_file
from reform_pipeline.ingest.db import query, transaction, value
from reform_pipeline.warehouse import run_sql_file

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


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


class KnownFile(NamedTuple):
    """What meta.input_files recorded of a dossier export."""

    sha256: str
    size_bytes: int
    modified_at: dt.datetime
    status: str


class ToRead(NamedTuple):
    """A dossier export to read: its content hash, and what was recorded of an earlier file of
    that name (None: a new name)."""

    sha256: str
    known: KnownFile | None


def discover(raw_dir: Path) -> dict[str, list[Path]]:
    """Input files by kind, each list in name order (docs/spec §2: files of one kind read in name order)."""
    if not raw_dir.is_dir():
        raise MissingInput(f"the raw folder {raw_dir} does not exist (set REFORM_RAW_DIR)")
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for path in sorted(raw_dir.iterdir(), key=lambda p: p.name):
        kind = kind_of_file(path.name)
        if kind and path.is_file():
            found[kind].append(path)
    return found


def any_export_ingested(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(value(con, "ingest/input_files_dossiers_ingested"))


def known_exports(con: duckdb.DuckDBPyConnection) -> dict[str, KnownFile]:
    """The dossier exports seen before, by file name."""
    return {row[0]: KnownFile(*row[1:]) for row in query(con, "ingest/input_files_dossiers_known")}


def ingested_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The content hash of every ingested dossier export → its file name."""
    return dict(query(con, "ingest/input_files_dossier_hashes"))


def unchanged(path: Path, known: KnownFile | None) -> bool:
    """Same name, size and modification time as an ingested file: skip without hashing."""
    if known is None:
        return False
    stat = path.stat()
    return (
        known.status in ("ingested", "duplicate")
        and known.size_bytes == stat.st_size
        and known.modified_at == mtime(stat)
    )


def mtime(stat) -> dt.datetime:
    return dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def skip_reason(
    con, path: Path, sha: str, known: KnownFile | None, hashes: dict[str, str]
) -> FileReport | None:
    """Why an export need not be read (its content is already ingested), or None (docs/spec §2)."""
    if known is not None and known.sha256 == sha:
        # Touched but not changed: remember the new time so the next run need not hash it.
        report = FileReport(path.name, "dossiers", known.status, message="content unchanged")
        record_file(con, report, path, merged=True, sha=sha, keep_counts=True)
        return report
    if sha in hashes and hashes[sha] != path.name:
        report = FileReport(
            path.name, "dossiers", "duplicate",
            message=f"same content as {hashes[sha]}, already ingested: not counted again",
        )
        with transaction(con):
            if known is not None:
                # The name held other rows before: they are gone from the export now.
                forget_rows(con, path.name)
            record_file(con, report, path, merged=True, sha=sha)
        return report
    return None


def forget_rows(con, file_name: str) -> None:
    """Remove every row an export contributed; the latest-version table is then rebuilt
    (docs/spec §2.1)."""
    run_sql_file(con, "ingest/dossier_file_forget", {"file_name": file_name})
    run_sql_file(con, "ingest/ingest_state_needs_rebuild")


def record_file(
    con, report: FileReport, path: Path, *, merged: bool, sha: str | None = None, keep_counts: bool = False
) -> None:
    if keep_counts:
        previous = query(con, "ingest/input_files_counts", {"file_name": report.file_name})
        if previous:
            report.rows_read, report.rows_quarantined = previous[0][0], previous[0][1]
            report.unknown_columns = previous[0][2] or []
    record_files(con, [(report, path, sha or sha256(path))], merged=merged)


def record_files(
    con, entries: list[tuple[FileReport, Path, str]], *, merged: bool, batch: int | None = None
) -> None:
    """Write the meta.input_files rows of many files in two statements (docs/spec §5 run_info
    reads them); ``batch``: the validation batch that wrote their dossier rows."""
    stats = [path.stat() for _, path, _ in entries]
    run_sql_file(
        con,
        "ingest/input_files_store",
        {
            "names": [report.file_name for report, _, _ in entries],
            "kinds": [report.kind for report, _, _ in entries],
            "hashes": [sha for _, _, sha in entries],
            "sizes": [stat.st_size for stat in stats],
            "modified": [mtime(stat) for stat in stats],
            "statuses": [report.status for report, _, _ in entries],
            "messages": [report.message for report, _, _ in entries],
            "read": [report.rows_read for report, _, _ in entries],
            "quarantined": [report.rows_quarantined for report, _, _ in entries],
            "unknown": [report.unknown_columns for report, _, _ in entries],
            "merged": merged,
            "batch": batch,
        },
    )


def announce(report: FileReport, progress: Progress) -> None:
    extra = f", unknown columns: {', '.join(report.unknown_columns)}" if report.unknown_columns else ""
    progress(
        f"{report.file_name}: {report.rows_read} rows read, "
        f"{report.rows_quarantined} quarantined{extra}"
    )
