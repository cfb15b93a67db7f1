"""Who may write the warehouse, and for how long anyone waits for it (docs/operating.md,
"One run at a time").

One run at a time holds the warehouse: the run lock is an exclusive ``flock`` on
``<warehouse>.lock``, taken when a run starts and held until it ends. The operating system
releases it when the process dies, whatever kills it (SIGKILL, out of memory, power loss), so a
dead run never keeps the next one out. A second run waits for the lock at most
REFORM_LOCK_WAIT_SECONDS, then fails with a message that names the run holding it.

The DuckDB file itself may also be held by a process that is no run of ours (a DuckDB shell or a
notebook left open on the warehouse): opening it waits the same bounded time and names that
process, which DuckDB reports.

No Dagster import here: plain Python, tested directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import psutil

from reform_pipeline.settings import ConfigError

# How often a waiting run says that it still waits, in seconds.
WAIT_REPORT_EVERY = 30
_POLL_SECONDS = 0.5
# DuckDB's lock error: 'Could not set lock on file "…": Conflicting lock is held in <exe> (PID 123).'
_DUCKDB_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")


class WarehouseBusy(RuntimeError):
    """Another process held the warehouse for longer than the run may wait."""


class WarehouseUnusable(ConfigError):
    """The warehouse path cannot hold a DuckDB database (a folder, under a file, not writable …)."""


Progress = Callable[[str], None]


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def check_writable_file_path(variable: str, path: Path) -> None:
    """Fail with one line when ``path`` cannot be a file this run writes: its folder cannot be
    made (a file stands where a folder should), it is a folder, or it is not writable."""
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [parent, *parent.parents] if p.exists() and not p.is_dir()), parent)
        raise WarehouseUnusable(f"{variable}={path}: {blocker} is a file, not a folder") from None
    except PermissionError:
        raise WarehouseUnusable(f"{variable}={path}: the folder {parent} cannot be created (permission denied)") from None
    except OSError as exc:
        raise WarehouseUnusable(f"{variable}={path}: the folder {parent} cannot be created ({exc.strerror})") from None
    if path.is_dir():
        raise WarehouseUnusable(f"{variable}={path} is a folder: name a file, e.g. {path / 'reform.duckdb'}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise WarehouseUnusable(f"{variable}={path}: the folder {parent} is not writable")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise WarehouseUnusable(f"{variable}={path} is not writable")


def process_summary(pid: int) -> str:
    """``PID 123 (python -m reform_pipeline.run, started 2026-12-06 08:12:03)``, or just the PID
    when the process is gone or not ours to inspect."""
    try:
        process = psutil.Process(pid)
        # one line whatever the command: a `python -c` script holds newlines
        command = " ".join(" ".join(process.cmdline()[:4]).split()) or process.name()
        started = dt.datetime.fromtimestamp(process.create_time()).strftime("%Y-%m-%d %H:%M:%S")
    except (psutil.Error, OSError):
        return f"PID {pid}"
    if len(command) > 120:
        command = command[:117] + "…"
    return f"PID {pid} ({command}, started {started})"


def _holder_of_run_lock(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder.get("pid"):
        return "another run (no details in the lock file)"
    described = process_summary(int(holder["pid"]))
    run = f"run {holder['run_id']}" if holder.get("run_id") else "a run"
    host = f" on {holder['host']}" if holder.get("host") and holder["host"] != socket.gethostname() else ""
    return f"{run} of {holder.get('started_by') or 'the pipeline'}, {described}{host}"


@contextlib.contextmanager
def run_lock(
    warehouse: Path, wait_seconds: float, *, run_id: str = "", started_by: str = "",
    progress: Progress | None = None,
) -> Iterator[None]:
    """Hold the warehouse's run lock for the duration of the block, waiting at most
    ``wait_seconds`` for the run that holds it; the lock file then names this run."""
    path = lock_path(warehouse)
    check_writable_file_path("REFORM_WAREHOUSE", warehouse)
    try:
        # "a+": opening must not truncate what the holder wrote about itself
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise WarehouseUnusable(
            f"REFORM_WAREHOUSE={warehouse}: its lock file {path} cannot be written ({exc.strerror})"
        ) from None
    try:
        deadline = time.monotonic() + wait_seconds
        next_report = time.monotonic()
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    raise WarehouseBusy(
                        f"the warehouse {warehouse} is held by {_holder_of_run_lock(path)}; waited "
                        f"{wait_seconds:g} s (REFORM_LOCK_WAIT_SECONDS). Wait for that run to end, "
                        "or stop it, then run again"
                    ) from None
                if progress is not None and now >= next_report:
                    progress(f"waiting for the warehouse, held by {_holder_of_run_lock(path)} "
                             f"(at most {max(0, deadline - now):.0f} s more)")
                    next_report = now + WAIT_REPORT_EVERY
                time.sleep(_POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "run_id": run_id,
            "started_by": started_by, "since": dt.datetime.now().isoformat(timespec="seconds"),
        }))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def connect(
    database: Path, config: dict[str, Any], wait_seconds: float, progress: Progress | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, waiting at most ``wait_seconds`` for a process that holds
    it; a file that cannot be a warehouse fails at once, naming why."""
    deadline = time.monotonic() + wait_seconds
    next_report = time.monotonic() + WAIT_REPORT_EVERY
    while True:
        try:
            return duckdb.connect(str(database), read_only=False, config=config)
        except duckdb.IOException as exc:
            message = str(exc)
            if "Could not set lock" not in message:
                raise WarehouseUnusable(f"REFORM_WAREHOUSE={database} cannot be opened: {_first_line(message)}") from None
            holder = _DUCKDB_LOCK_HOLDER.search(message)
            who = process_summary(int(holder[1])) if holder else "another process"
            now = time.monotonic()
            if now >= deadline:
                raise WarehouseBusy(
                    f"the warehouse {database} is held open by {who}; waited {wait_seconds:g} s "
                    "(REFORM_LOCK_WAIT_SECONDS). Close that program (a DuckDB shell or notebook on the "
                    "warehouse: BI tools read the BI file instead), then run again"
                ) from None
            if progress is not None and now >= next_report:
                progress(f"waiting for the warehouse, held open by {who} (at most {deadline - now:.0f} s more)")
                next_report = now + WAIT_REPORT_EVERY
            time.sleep(_POLL_SECONDS)


def _first_line(message: str) -> str:
    text = message.strip().splitlines()[0] if message.strip() else message
    return text.removeprefix("IO Error: ")
