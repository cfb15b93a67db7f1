"""Dagster resources: the warehouse and the REFORM_* settings (docs/spec §3).

The warehouse resource holds the run lock for the whole run (reform_pipeline/warehouse_access.py):
one run at a time writes the warehouse, a second one waits a bounded time, and a run that died
releases it with its process. It also records on the run which process executes it, so that a
run whose process is gone can be told from a live one (reform_pipeline/ops/run_health.py).
Its steps share one open DuckDB database, each on a connection of its own
(docs/decisions/0014-one-open-warehouse-and-the-1m-target.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psutil
from dagster import ConfigurableResource, InitResourceContext
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from reform_pipeline.raw_folder import record_inputs
from reform_pipeline.settings import DEFAULT_LOCK_WAIT_SECONDS, Settings, parse_as_of
from reform_pipeline.warehouse_access import connect, run_lock

# Run tags naming the process that executes a run (ops/run_health.py reads them).
WORKER_PID_TAG = "reform/worker_pid"
WORKER_HOST_TAG = "reform/worker_host"
WORKER_STARTED_TAG = "reform/worker_started"
# The run the other three describe: a re-execution inherits its parent's tags, which then
# describe the parent's process, not its own.
WORKER_RUN_TAG = "reform/worker_run"


def worker_tags(run_id: str) -> dict[str, str]:
    """This process, as the run tags that identify it even after its PID is reused."""
    return {
        WORKER_RUN_TAG: run_id,
        WORKER_PID_TAG: str(os.getpid()),
        WORKER_HOST_TAG: socket.gethostname(),
        WORKER_STARTED_TAG: f"{psutil.Process().create_time():.3f}",
    }


class WarehouseResource(DuckDBResource):
    """The pipeline's private DuckDB file. Held by one run at a time (the run lock, taken when
    the run starts); a connection waits at most ``lock_wait_seconds`` for a process that holds
    the file, then fails naming it."""

    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS
    # the raw folder this run reads: recorded as found when the run takes the warehouse
    raw_dir: str = ""
    _log = PrivateAttr(default=None)
    # during a run: whether the run holds the warehouse, and the database its steps share
    _in_run = PrivateAttr(default=False)
    _database = PrivateAttr(default=None)

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["WarehouseResource"]:
        run = context.run
        instance = context.instance
        if run is not None and instance is not None and run.run_id:
            instance.add_run_tags(run.run_id, worker_tags(run.run_id))
        self._log = context.log.info if context.log is not None else None
        with run_lock(
            Path(self.database), self.lock_wait_seconds,
            run_id=run.run_id if run is not None else "",
            started_by=(run.tags.get("started_by") or run.tags.get("dagster/schedule_name")
                        or run.tags.get("dagster/sensor_name") or "the Dagster UI") if run is not None else "",
            progress=self._log,
        ):
            if self.raw_dir:
                # the new-file sensor starts no second run for what this run reads
                record_inputs(Path(self.raw_dir), Path(self.database))
            self._in_run = True
            try:
                yield self
            finally:
                self._in_run = False
                if self._database is not None:
                    database, self._database = self._database, None
                    database.close()

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own for one step. In a run the steps share one open database (the
        run's process holds the file for the whole run anyway): each step gets a fresh
        connection to it, with its own transaction and temporary objects, as a newly opened
        file would give, without reading the file's catalogue again for every step. Outside a
        run the connection opens the file and closes it again."""
        if self._in_run:
            if self._database is None:
                self._database = self._open()
            con = self._database.cursor()
        else:
            con = self._open()
        try:
            yield con
        finally:
            con.close()

    def _open(self) -> duckdb.DuckDBPyConnection:
        return connect(Path(self.database), dict(self.connection_config), self.lock_wait_seconds, self._log)


class ReformSettings(ConfigurableResource):
    """Where the inputs and outputs live, and the as-of date (empty: derived from the data)."""

    raw_dir: str
    bi_db: str
    as_of: str = ""
    # where the runs record the raw folder as they found it (the sensor reads that record)
    warehouse: str = ""
    # REFORM_ACCEPT_SHRINK: this run may publish a BI file that shrinks (docs/spec §5.1)
    accept_shrink: bool = False

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def bi_path(self) -> Path:
        return Path(self.bi_db)

    @property
    def as_of_date(self) -> dt.date | None:
        return parse_as_of(self.as_of)


def resources_from(settings: Settings) -> dict:
    return {
        "warehouse": WarehouseResource(
            database=str(settings.warehouse), connection_config=settings.duckdb_config(),
            lock_wait_seconds=settings.lock_wait_seconds,
            raw_dir=str(settings.raw_dir),
        ),
        "reform": ReformSettings(
            raw_dir=str(settings.raw_dir),
            bi_db=str(settings.bi_db),
            as_of=settings.as_of.isoformat() if settings.as_of else "",
            warehouse=str(settings.warehouse),
            accept_shrink=settings.accept_shrink,
        ),
    }
