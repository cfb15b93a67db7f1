"""`make run` runs the job `nightly_refresh` of the code location the UI loads: the UI lists the
run under that job and re-executes it like any other (issue: Dagster conventions). Real
processes: the command, then `dagster dev` (what `make ui` starts) on the same DAGSTER_HOME."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from reform_pipeline_tests.fixtures import dossier, make_raw
from reform_pipeline_tests.processes import REPO, deployment, run_statuses, stop_group


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


RUN = """query ($id: ID!) { runOrError(runId: $id) { __typename ... on Run {
  pipelineName repositoryOrigin { repositoryLocationName repositoryName } } } }"""
REEXECUTE = """mutation ($id: String!) { launchRunReexecution(
  reexecutionParams: {parentRunId: $id, strategy: ALL_STEPS}) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""


def test_a_make_run_run_shows_under_the_nightly_job_and_the_ui_re_executes_it(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(5)]})
    site = deployment(tmp_path, raw)
    assert site.run().returncode == 0
    (parent,) = run_statuses(site.home)

    port = _free_port()
    ui = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster")), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1",
         "-p", str(port)],
        cwd=REPO, env=site.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                shown = _graphql(port, RUN, {"id": parent})["data"]["runOrError"]
                break
            except (OSError, KeyError, TypeError):
                assert time.monotonic() < deadline, "the UI did not come up"
                time.sleep(1)
        assert shown["pipelineName"] == "nightly_refresh"
        assert shown["repositoryOrigin"] == {"repositoryLocationName": "reform_pipeline",
                                             "repositoryName": "__repository__"}

        launched = _graphql(port, REEXECUTE, {"id": parent})["data"]["launchRunReexecution"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        child = launched["run"]["runId"]
        deadline = time.monotonic() + 180
        while run_statuses(site.home).get(child) not in ("SUCCESS", "FAILURE", "CANCELED"):
            assert time.monotonic() < deadline, run_statuses(site.home)
            time.sleep(1)
        assert run_statuses(site.home)[child] == "SUCCESS"
    finally:
        stop_group(ui)
