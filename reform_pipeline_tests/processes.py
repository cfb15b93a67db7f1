"""The pipeline as users run it: ``python -m reform_pipeline.run`` (what ``make run`` starts) in
its own process, under a DAGSTER_HOME set up exactly as the Makefile sets it up (a copy of
``deploy/dagster.yaml``), so that no test passes on an instance configuration users do not get.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw"
MART_TABLES = ["dossier_facts", "unit_metrics", "index_766", "scorecard", "units", "quarantine_summary"]
# no run of these tests may take longer than this, waiting included
RUN_TIMEOUT = 300


def make_dagster_home(folder: Path) -> Path:
    """A DAGSTER_HOME as `make run` and `make ui` get it (Makefile: cp deploy/dagster.yaml)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "deploy" / "dagster.yaml", folder / "dagster.yaml")
    return folder


@dataclass(frozen=True)
class Deployment:
    """A raw folder, a work folder (warehouse and BI file) and a DAGSTER_HOME."""

    raw: Path
    work: Path
    home: Path

    @property
    def bi(self) -> Path:
        return self.work / "bi" / "reform_bi.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.work / "reform.duckdb"

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "REFORM_RAW_DIR": str(self.raw), "REFORM_WAREHOUSE": str(self.warehouse),
               "REFORM_BI_DB": str(self.bi), "DAGSTER_HOME": str(self.home)}
        for name in ("REFORM_AS_OF", "REFORM_ACCEPT_SHRINK", "REFORM_LOCK_WAIT_SECONDS"):
            env.pop(name, None)
        env.update(extra)
        return env

    def run(self, timeout: float = RUN_TIMEOUT, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "reform_pipeline.run"], env=self.env(**extra), cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)

    def start(self, **extra: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "reform_pipeline.run"], env=self.env(**extra), cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)


def deployment(root: Path, raw: Path) -> Deployment:
    return Deployment(raw, root / "work", make_dagster_home(root / "dagster_home"))


def kill_when(process: subprocess.Popen, marker: str, delay: float = 0.0) -> bool:
    """SIGKILL ``process`` (and its process group) once ``marker`` shows in its output; True if
    it was killed rather than finished first."""
    try:
        for line in process.stdout:
            if marker in line:
                if delay:
                    time.sleep(delay)
                os.killpg(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=RUN_TIMEOUT)
    return process.returncode == -signal.SIGKILL


def stop_group(process: subprocess.Popen, how: int = signal.SIGINT) -> None:
    """Stop a ``dagster dev`` or ``dagster-daemon`` started with ``start_new_session=True``: ``how``
    to its whole process group (SIGINT, as it wants to be stopped), SIGKILL after 60 s."""
    try:
        os.killpg(process.pid, how)
        process.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def mart_contents(bi_db: Path) -> dict[str, list]:
    """Every mart table, sorted, plus run_info without its build time."""
    with duckdb.connect(str(bi_db), read_only=True) as bi:
        tables = {
            table: bi.execute("SELECT * FROM query_table($t) ORDER BY ALL", {"t": "mart." + table}).fetchall()
            for table in MART_TABLES
        }
        tables["run_info"] = bi.execute("SELECT * EXCLUDE (built_at) FROM mart.run_info").fetchall()
    return tables


def run_statuses(home: Path) -> dict[str, str]:
    """Every run recorded in ``home``: run id -> status name."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        return {r.dagster_run.run_id: r.dagster_run.status.value for r in instance.get_run_records()}
