"""The input files: which there are, which changed since the last run, and what
meta.input_files records of each (docs/spec §2: files recognised by name prefix; a dossier
export is ingested once, recognised by its content).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
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
    status: str  # ingested, unchanged (not recorded: the record stays), duplicate, unreadable, skipped
    rows_read: int = 0
    rows_quarantined: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    message: str = ""  # why a file is skipped, unreadable or a duplicate: never a cell of the file
    ignored_sheets: list[str] = field(default_factory=list)
    # an unreadable reference file whose last readable version was read instead (docs/spec §2.0)
    previous_version_kept: bool = False


class KnownFile(NamedTuple):
    """What meta.input_files recorded of a dossier export."""

    sha256: str
    size_bytes: int
    modified_at: dt.datetime
    status: str
    # TRUE: the file is unreadable or skipped now, and the rows of its last readable version
    # stay in use (docs/spec §2.0, "A file that breaks later")
    previous_version_kept: bool = False

    @property
    def has_rows(self) -> bool:
        """The warehouse holds rows of this name (an ingested version, current or kept)."""
        return self.status == "ingested" or bool(self.previous_version_kept)


class ToRead(NamedTuple):
    """A dossier export to read: its content hash, and what was recorded of an earlier file of
    that name (None: a new name)."""

    sha256: str
    known: KnownFile | None


# A compressed file is named as such; any other extension that is not a readable one is unsupported
# (docs/spec §2.0, "What is read").
COMPRESSED = (".zip", ".gz", ".tgz", ".7z", ".rar", ".bz2", ".xz", ".zst", ".tar", ".z")
OUTSIDE_LINK = "symbolic link pointing outside the raw folder"
COMPRESSED_FILE = "compressed file: unpack it into the raw folder"
EMPTY_FILE = "empty file (0 bytes)"


def discover(raw_dir: Path) -> dict[str, list[Path]]:
    """Input files to read, by kind, each list in name order (docs/spec §2: files of one kind read
    in name order; §2.0: what is read)."""
    return survey(raw_dir)[0]


def survey(raw_dir: Path) -> tuple[dict[str, list[Path]], list[FileReport]]:
    """The raw folder as docs/spec §2.0 ("What is read") sees it: the files to read, by kind in
    name order, and the files listed as ``skipped`` with their reason. Nothing of a skipped
    file's content is opened; a file whose name has no recognised prefix is ignored."""
    if not raw_dir.is_dir():
        raise MissingInput(f"the raw folder {raw_dir} does not exist (set REFORM_RAW_DIR)")
    root = raw_dir.resolve()
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    skipped: list[FileReport] = []
    for path in sorted(raw_dir.iterdir(), key=lambda p: p.name):
        kind = kind_by_prefix(path.name)
        if kind is None:
            continue
        reason = why_not_read(path, root)
        if reason is None:
            found[kind].append(path)
        elif reason:
            skipped.append(FileReport(path.name, kind, "skipped", message=reason))
    return found, skipped


def kind_by_prefix(file_name: str) -> str | None:
    """The input kind a file's name prefix names, whatever its extension (docs/spec §2)."""
    lower = file_name.lower()
    if lower.startswith((".", "~$")):
        return None
    return next((kind for kind in KINDS if lower.startswith(kind)), None)


def why_not_read(path: Path, root: Path) -> str | None:
    """None: read the file; "": not a file, ignore it; else the reason it is skipped. Looks at the
    name, the link and the size only, never at the content."""
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(root):
            return OUTSIDE_LINK
        if not target.exists():
            return "symbolic link to a file that does not exist"
    if not path.is_file():
        return ""  # a folder (or a link to one), a device, a pipe: not an input file
    if kind_of_file(path.name) is None:
        if path.suffix.lower() in COMPRESSED:
            return COMPRESSED_FILE
        return f"unsupported file type {path.suffix.lower()}" if path.suffix else "unsupported file type (no extension)"
    if path.stat().st_size == 0:
        return EMPTY_FILE
    return None


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
        if known.previous_version_kept:
            # The version whose rows were kept is back (docs/spec §2.0, "A file that breaks later").
            report = FileReport(path.name, "dossiers", "ingested", message="the previous version is back")
        else:
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


def keep_previous(con, file_name: str, status: str, reason: str) -> FileReport:
    """A dossier export once ingested is now unreadable or skipped: its last readable version's
    rows stay in use and stay counted under its name; its record says why (docs/spec §2.0, "A
    file that breaks later"). The record keeps that version's hash, size and counts, so that the
    version coming back is recognised."""
    message = f"{reason} (previous version kept)"
    run_sql_file(
        con, "ingest/input_files_keep_previous", {"file_name": file_name, "status": status, "message": message}
    )
    return FileReport(file_name, "dossiers", status, message=message)


def record_skipped(con, skipped: list[FileReport], progress: Progress) -> None:
    """Record the dossier exports the raw folder holds but the run does not read (docs/spec §2.0,
    "What is read"; the reference step records the other kinds with its batch,
    ingest_reference); forget the skipped files of every kind that are gone. A dossier export
    whose earlier version was ingested keeps that version's rows."""
    known = known_exports(con)
    listed = []
    for report in skipped:
        if report.kind != "dossiers":
            continue
        record = known.get(report.file_name)
        if record is not None and record.has_rows:
            report.message = keep_previous(con, report.file_name, "skipped", report.message).message
        else:
            listed.append(report)
        progress(f"{report.file_name}: skipped ({report.message})")
    if listed:
        record_files(con, [(report, None, None) for report in listed], merged=True)
    run_sql_file(con, "ingest/input_files_skipped_gone", {"names": [r.file_name for r in skipped]})


def record_ignored_sheets(con, report: FileReport, sheets: list[str]) -> None:
    """The sheets of a workbook that were not read (docs/spec §2.0, "Sheets")."""
    report.ignored_sheets = list(sheets)
    if sheets:
        run_sql_file(con, "ingest/input_files_ignored_sheets", {"file_name": report.file_name, "sheets": list(sheets)})


def ignored_sheets(source, path: Path) -> list[str]:
    """The sheets a reader left unread (``ignored_sheets`` of what it returns: a list, or per path
    for a group of files); none when the reader does not say."""
    sheets = getattr(source, "ignored_sheets", None) or []
    if isinstance(sheets, dict):
        sheets = sheets.get(path) or sheets.get(path.name) or []
    return [str(sheet) for sheet in sheets]


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
            report.ignored_sheets = previous[0][3] or []
    record_files(con, [(report, path, sha or sha256(path))], merged=merged)


def record_files(
    con, entries: list[tuple[FileReport, Path | None, str | None]], *, merged: bool, batch: int | None = None
) -> None:
    """Write the meta.input_files rows of many files in two statements (docs/spec §5 run_info
    reads them); ``batch``: the validation batch that wrote their dossier rows. A file not read
    (no hash: a skipped one) is recorded by its name alone: its size and time are not looked up
    through a link."""
    stats = [path.stat() if path is not None and sha is not None else None for _, path, sha in entries]
    run_sql_file(
        con,
        "ingest/input_files_store",
        {
            "names": [report.file_name for report, _, _ in entries],
            "kinds": [report.kind for report, _, _ in entries],
            "hashes": [sha for _, _, sha in entries],
            "sizes": [stat.st_size if stat else None for stat in stats],
            "modified": [mtime(stat) if stat else None for stat in stats],
            "statuses": [report.status for report, _, _ in entries],
            "messages": [report.message for report, _, _ in entries],
            "read": [report.rows_read for report, _, _ in entries],
            "quarantined": [report.rows_quarantined for report, _, _ in entries],
            "unknown": [report.unknown_columns for report, _, _ in entries],
            "sheets": [report.ignored_sheets for report, _, _ in entries],
            "kept": [report.previous_version_kept for report, _, _ in entries],
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
