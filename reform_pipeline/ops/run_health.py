"""Runs whose process is gone: told apart from live ones, marked failed, their slots freed
(docs/spec §5.1 "A dead run blocks nothing"; docs/operating.md "After a crash").

Dagster learns that a run ended from the run itself. A run whose process was killed (SIGKILL,
out of memory, power loss) stays STARTED for ever, and while it does the run queue counts it
against `max_concurrent_runs` and any concurrency slot it claimed stays taken. Two places end
such runs:

- `make run` (reform_pipeline/run.py), before it starts its own run: nothing else does it when
  no daemon runs;
- the daemon, through Dagster's run monitoring (deploy/dagster.yaml `run_monitoring`), which
  asks the run launcher below whether each started run's process is alive.

A run's process is known from the run tags the warehouse resource writes when the run starts
(PID, host, the process's start time, so that a reused PID is not taken for the run), or, for a
run that died before that, from Dagster's own "Started process for run (pid: …)" event.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

import psutil
from dagster import DagsterEventType, DagsterInstance, DagsterRun, DagsterRunStatus, RunsFilter
from dagster._core.events import JobFailureData, RunFailureReason
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, WorkerStatus

from reform_pipeline.resources import WORKER_HOST_TAG, WORKER_PID_TAG, WORKER_RUN_TAG, WORKER_STARTED_TAG

# A process started this much after the moment a run recorded its PID is another process
# that reuses the PID (clock resolution of the start times compared).
_START_TOLERANCE_SECONDS = 2.0
# The statuses in which a run may hold the queue or slots while its process is gone.
UNFINISHED = [DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED,
              DagsterRunStatus.CANCELING]


@dataclass(frozen=True)
class Worker:
    pid: int
    host: str
    started: float | None  # the process's start time, when the run recorded it
    recorded_at: float | None  # when Dagster recorded the PID, when that is all we know


def worker_of(instance: DagsterInstance, run: DagsterRun) -> Worker | None:
    """The process that executes ``run``, as far as the run's tags and events tell."""
    tags = run.tags
    # tags inherited from a parent run describe the parent's process
    if tags.get(WORKER_PID_TAG, "").isdigit() and tags.get(WORKER_RUN_TAG) == run.run_id:
        try:
            started = float(tags.get(WORKER_STARTED_TAG, ""))
        except ValueError:
            started = None
        return Worker(int(tags[WORKER_PID_TAG]), tags.get(WORKER_HOST_TAG, ""), started, None)
    records = instance.get_records_for_run(run.run_id, of_type=DagsterEventType.ENGINE_EVENT).records
    for record in reversed(records):  # the latest worker, should the run have been resumed
        event = record.event_log_entry.dagster_event
        data = getattr(event, "engine_event_data", None) if event is not None else None
        pid = data.metadata.get("pid") if data is not None and data.metadata else None
        text = getattr(pid, "value", pid)
        if isinstance(text, str) and text.isdigit() and "Started process for run" in (event.message or ""):
            # the run launcher starts run workers on the code server's machine: this one
            return Worker(int(text), socket.gethostname(), None, record.event_log_entry.timestamp)
    return None


def process_alive(worker: Worker) -> bool | None:
    """True or False when this machine can tell, None when the worker ran elsewhere."""
    if worker.host and worker.host != socket.gethostname():
        return None
    try:
        process = psutil.Process(worker.pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:
        return None
    if worker.started is not None:
        return abs(created - worker.started) <= _START_TOLERANCE_SECONDS
    if worker.recorded_at is not None:
        return created <= worker.recorded_at + _START_TOLERANCE_SECONDS
    return True


def dead_process_message(worker: Worker) -> str:
    return (
        f"The process of this run (PID {worker.pid} on {worker.host or 'this machine'}) is gone: it was "
        "killed or the machine restarted. Marked failed so that it holds nothing; the previous BI "
        "file was left in place (docs/operating.md, After a crash)."
    )


def recover_dead_runs(
    instance: DagsterInstance, *, exclude: str | None = None, log: Callable[[str], None] = print
) -> list[str]:
    """Mark failed every unfinished run whose process is gone, free the concurrency slots it
    held, and return their run ids. Runs whose process cannot be judged here are left alone
    (a queued run has no process yet; a run on another machine is that machine's to judge)."""
    ended = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=UNFINISHED)):
        run = record.dagster_run
        if run.run_id == exclude:
            continue
        worker = worker_of(instance, run)
        if worker is None or process_alive(worker) is not False:
            continue
        current = instance.get_run_by_id(run.run_id)
        if current is None or current.status not in UNFINISHED:
            continue  # it ended by itself meanwhile
        instance.report_run_failed(
            current, dead_process_message(worker),
            JobFailureData(error=None, failure_reason=RunFailureReason.UNEXPECTED_TERMINATION),
        )
        freed = 0
        if instance.event_log_storage.supports_global_concurrency_limits:
            freed = instance.event_log_storage.free_concurrency_slots_for_run(run.run_id) or 0
        log(f"run {run.run_id} ({run.job_name}) had no process left (PID {worker.pid}): marked failed"
            + (f", {freed} concurrency slot(s) freed" if freed else ""))
        ended.append(run.run_id)
    return ended


class ProcessCheckingRunLauncher(DefaultRunLauncher):
    """Dagster's default launcher (runs as processes of the local code server) that can also
    tell the daemon's run monitoring whether a started run's process is still alive, which
    the default launcher cannot. Configured in deploy/dagster.yaml."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        worker = worker_of(self._instance, run)
        if worker is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "no process recorded for this run yet")
        alive = process_alive(worker)
        if alive is False:
            return CheckRunHealthResult(WorkerStatus.FAILED, dead_process_message(worker))
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"PID {worker.pid}")
