"""Build the BI file under a temporary name and swap it in whole (docs/spec §5, §5.1).

The new file is written whole beside the published one (``<bi>.next-<run id>``); the publish
gate (publish/gate.py) compares the two, and only then is the new one swapped in.

A BI session that holds the old file open keeps reading its old, consistent view (the rename
leaves its inode alone) and never blocks the nightly run; a new connection sees the new file.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

import duckdb

from reform_pipeline.warehouse import execute, run_sql_file

# Every DuckDB client from 1.1 on can open a file written with this storage version.
BI_STORAGE_VERSION = "v1.1.0"
# Compression methods left out while the BI file is written. With the v1.1.0 storage format the
# string columns are tried with FSST, whose analysis costs more than it saves here: leaving it
# out makes the BI write faster for a file about 20 % larger
# (docs/decisions/0006-bi-write-compression.md). The warehouse itself keeps every method.
BI_DISABLED_COMPRESSION = "fsst"
BI_TABLES = (
    "units", "dossier_facts", "unit_metrics", "unit_metrics_current", "index_766", "scorecard", "rankings",
    "metric_catalogue",
    "quarantine_summary", "run_info",
)


def candidate_path(bi_path: Path, run_id: str) -> Path:
    """Where run ``run_id`` writes its BI file before the gate lets it replace ``bi_path``."""
    return bi_path.with_name(f"{bi_path.name}.next-{run_id}")


def write_candidate(con: duckdb.DuckDBPyConnection, bi_path: Path, run_id: str) -> tuple[Path, dict[str, int]]:
    """Write every mart table to this run's candidate file beside ``bi_path``, whole and
    synced to disk; the published file is not touched (``swap_in`` replaces it)."""
    bi_path = Path(bi_path)
    bi_path.parent.mkdir(parents=True, exist_ok=True)
    candidate = candidate_path(bi_path, run_id)
    # candidates of earlier runs: refused by their gate, or left by a run that died
    remove_stale_candidates(bi_path, keep=candidate)
    remove_paths(candidate, Path(f"{candidate}.wal"))
    execute(con,
        f"ATTACH $path AS bi (STORAGE_VERSION '{BI_STORAGE_VERSION}')", {"path": str(candidate)}
    )
    # a global setting of the DuckDB instance: restored once the BI file is written
    disabled_before = con.execute(
        "SELECT current_setting('disabled_compression_methods')"
    ).fetchone()[0]
    try:
        execute(con, "SET disabled_compression_methods = $methods",
                {"methods": ",".join(filter(None, [disabled_before, BI_DISABLED_COMPRESSION]))})
        run_sql_file(con, "publish/bi_tables")
        counts = {
            table: con.execute("SELECT count(*) FROM query_table($name)", {"name": f"bi.mart.{table}"}).fetchone()[0]
            for table in BI_TABLES
        }
        execute(con, "DETACH bi")
    except BaseException:
        execute(con, "DETACH DATABASE IF EXISTS bi")
        remove_paths(candidate, Path(f"{candidate}.wal"))
        raise
    finally:
        _restore_disabled_compression(con, disabled_before)
    fsync_path(candidate)
    return candidate, counts


def swap_in(candidate: Path, bi_path: Path) -> None:
    """Atomically replace the published file with ``candidate``: a reader sees the old file or
    the new one, never a mix, and an open BI session keeps its old view."""
    # A write-ahead log left beside the old file would be replayed onto the new one.
    remove_paths(Path(f"{bi_path}.wal"))
    os.replace(candidate, bi_path)
    fsync_path(bi_path.parent)


def publish_bi(con: duckdb.DuckDBPyConnection, bi_path: Path) -> dict[str, int]:
    """Write the BI file and swap it in at once, without the gate (tools and tests that build
    a BI file outside a run)."""
    candidate, counts = write_candidate(con, Path(bi_path), f"direct-{os.getpid()}")
    swap_in(candidate, Path(bi_path))
    return counts


def _restore_disabled_compression(con: duckdb.DuckDBPyConnection, methods: str) -> None:
    if methods:
        execute(con, "SET disabled_compression_methods = $methods", {"methods": methods})
    else:
        execute(con, "RESET disabled_compression_methods")


def remove_stale_candidates(bi_path: Path, keep: Path | None = None) -> None:
    """Candidate files of earlier runs (one run at a time holds the warehouse, so none of them
    is being written), and temporaries of the earlier layout whose process is gone."""
    for leftover in bi_path.parent.glob(f"{glob.escape(bi_path.name)}.next-*"):
        if keep is None or leftover.name not in (keep.name, keep.name + ".wal"):
            leftover.unlink(missing_ok=True)
    for leftover in bi_path.parent.glob(f"{glob.escape(bi_path.name)}.tmp-*"):
        pid = leftover.name.rsplit(".tmp-", 1)[1].split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_paths(*paths: Path) -> None:
    """Delete each of ``paths`` that exists."""
    for path in paths:
        path.unlink(missing_ok=True)


def fsync_path(path: Path) -> None:
    """Flush ``path`` (a file, or a folder after a rename in it) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
