"""docs/spec §5.1 "A dead run blocks nothing" and "A run never waits forever", against real
processes: `python -m reform_pipeline.run` (what `make run` starts) and `dagster dev` (what
`make ui` starts), both under a DAGSTER_HOME set up from deploy/dagster.yaml as the Makefile
sets it up."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reform_pipeline_tests.fixtures import dossier, make_raw
from reform_pipeline_tests.processes import (
    REPO,
    RUN_TIMEOUT,
    SAMPLE,
    deployment,
    kill_when,
    mart_contents,
    run_statuses,
    stop_group,
)


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory):
    """The sample without its last ten exports, published once; and the full sample run once
    from scratch (the clean reference)."""
    root = tmp_path_factory.mktemp("dead-runs")
    early, full = root / "early", root / "full"
    shutil.copytree(SAMPLE, full)
    shutil.copytree(SAMPLE, early)
    for path in sorted(early.glob("dossiers_*"))[-10:]:
        path.unlink()
    before = deployment(root / "before", early)
    assert before.run().returncode == 0
    clean = deployment(root / "clean", full)
    assert clean.run().returncode == 0
    return root, full, mart_contents(clean.bi)


# Each marker is the first progress line of a stage; the delay lands the kill inside it.
KILL_POINTS = [
    ("reading the reference files", "reference_data:", 0.0),
    ("validating the exports", "validated", 0.0),
    ("computing the dossier facts", "computing dossier facts", 0.1),
    ("computing the metrics", "computing unit metrics", 0.2),
    ("writing the new BI file", "writing the BI file", 0.05),
    ("in the gate", "comparing the new BI file", 0.0),
    ("at the swap", "bi_database: replacing", 0.0),
    ("writing the page", "bi_database: published", 0.0),
]


@pytest.mark.parametrize("moment, marker, delay", KILL_POINTS, ids=[k[0] for k in KILL_POINTS])
def test_a_run_killed_with_sigkill_blocks_nothing_and_the_next_run_finishes_as_a_clean_one(
        sample_runs, tmp_path, moment, marker, delay):
    root, full, clean = sample_runs
    shutil.copytree(root / "before", tmp_path / "site")
    site = deployment(tmp_path / "site", full)  # the home and warehouse of the published run
    published = site.bi.read_bytes()

    killed = kill_when(site.start(), marker, delay)

    assert killed, f"the run finished before it could be killed ({moment})"
    # the previous BI file, whole; or, killed right after the swap, the new one, whole
    assert site.bi.read_bytes() == published or mart_contents(site.bi) == clean
    assert "STARTED" in run_statuses(site.home).values() or "NOT_STARTED" in run_statuses(site.home).values()

    started = time.monotonic()
    second = site.run()

    assert second.returncode == 0, second.stderr
    assert time.monotonic() - started < 120
    assert "had no process left" in second.stdout
    assert mart_contents(site.bi) == clean
    statuses = list(run_statuses(site.home).values())
    assert statuses.count("SUCCESS") == 2 and statuses.count("FAILURE") == 1, statuses
    assert not list(site.bi.parent.glob("*.next-*"))


def test_two_runs_started_together_both_finish_and_the_second_waits_for_the_first(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(20)]})
    site = deployment(tmp_path, raw)
    first, second = site.start(), site.start()
    outputs = [process.communicate(timeout=RUN_TIMEOUT) for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert list(run_statuses(site.home).values()) == ["SUCCESS", "SUCCESS"]


def test_a_run_exits_0_even_when_a_bi_reader_holds_the_file_it_published(tmp_path):
    import duckdb

    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(5)]})
    site = deployment(tmp_path, raw)
    assert site.run().returncode == 0
    reader = duckdb.connect(str(site.bi))  # a BI tool that opened the file read-write
    try:
        done = site.run()
    finally:
        reader.close()
    assert done.returncode == 0, done.stderr
    assert "Checks:" in done.stdout


HOLD_RUN_LOCK = """
import sys, time
from pathlib import Path
from reform_pipeline.warehouse_access import run_lock
with run_lock(Path(sys.argv[1]), 5, run_id="held-by-test", started_by="a test"):
    print("holding", flush=True)
    time.sleep(600)
"""

HOLD_DUCKDB = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("holder, named", [(HOLD_RUN_LOCK, "run held-by-test of a test"),
                                           (HOLD_DUCKDB, "held open by PID")],
                         ids=["another run", "a duckdb shell"])
def test_a_run_gives_up_on_a_held_warehouse_in_bounded_time_and_names_the_holder(tmp_path, holder, named):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A1")]})
    site = deployment(tmp_path, raw)
    site.warehouse.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen([sys.executable, "-c", holder, str(site.warehouse)], cwd=REPO,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "holding"
        started = time.monotonic()
        done = site.run(REFORM_LOCK_WAIT_SECONDS="3")
        waited = time.monotonic() - started
    finally:
        process.kill()
        process.wait()
    assert done.returncode == 3, done.stderr
    assert waited < 60
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: the warehouse") and named in line and f"PID {process.pid}" in line
    assert "Traceback" not in done.stdout + done.stderr
    assert not site.bi.exists()
    assert list(run_statuses(site.home).values()) == ["FAILURE"]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_daemon_marks_a_killed_run_failed_and_its_retry_publishes(sample_runs, tmp_path):
    """`make ui`'s processes (webserver, daemon, code server) with run monitoring as
    deploy/dagster.yaml configures it: the run worker and its code server die together (what a
    reboot does); the UI is restarted, and the daemon finds the run's process gone, marks the run
    failed and its retry publishes the clean tables, with nobody touching anything."""
    root, full, clean = sample_runs
    shutil.copytree(root / "before", tmp_path / "site")
    site = deployment(tmp_path / "site", full)
    env = site.env()
    dagster = str(Path(sys.executable).with_name("dagster"))

    def start_ui() -> subprocess.Popen:
        return subprocess.Popen(
            [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(_free_port())],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    from dagster import DagsterInstance, DagsterRunStatus

    ui = start_ui()
    try:
        with DagsterInstance.from_config(str(site.home)) as instance:
            deadline = time.monotonic() + 180
            run = None
            while time.monotonic() < deadline:  # the sensor starts a run for the new exports
                runs = [r.dagster_run for r in instance.get_run_records()
                        if r.dagster_run.status == DagsterRunStatus.STARTED and "reform/worker_pid" in r.dagster_run.tags]
                if runs:
                    run = runs[0]
                    break
                time.sleep(0.3)
            assert run is not None, "no run started"
            worker = int(run.tags["reform/worker_pid"])
            stop_group(ui, signal.SIGKILL)  # the whole of `make ui` at once, as a power loss
            try:
                os.kill(worker, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert run_statuses(site.home)[run.run_id] == "STARTED"

        ui = start_ui()
        with DagsterInstance.from_config(str(site.home)) as instance:
            deadline = time.monotonic() + 240
            retried = None
            while time.monotonic() < deadline:
                records = instance.get_run_records()
                statuses = {r.dagster_run.run_id: r.dagster_run.status for r in records}
                retries = [r.dagster_run for r in records if r.dagster_run.tags.get("dagster/parent_run_id") == run.run_id]
                if statuses[run.run_id] == DagsterRunStatus.FAILURE and retries \
                        and retries[0].status == DagsterRunStatus.SUCCESS:
                    retried = retries[0]
                    break
                time.sleep(1)
            assert retried is not None, json.dumps({k: v.value for k, v in statuses.items()})
    finally:
        stop_group(ui, signal.SIGINT)
    assert mart_contents(site.bi) == clean
