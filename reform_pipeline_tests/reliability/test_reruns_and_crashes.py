"""Idempotent reruns and crash safety (issue: reliability).

A run killed with SIGKILL during ingestion, the metrics or publishing leaves the warehouse
consistent and the previous BI file in place; the next run completes and equals a clean run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from dagster import materialize

from reform_pipeline.definitions import ALL_ASSETS
from reform_pipeline.resources import resources_from
from reform_pipeline.settings import Settings
from reform_pipeline_tests.fixtures import dossier, make_raw, pipeline_command, write_csv

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "raw"
MART_TABLES = ["dossier_facts", "unit_metrics", "index_766", "scorecard", "units", "quarantine_summary"]


def mart_contents(bi_db: Path) -> dict[str, list]:
    """Every mart table, sorted, plus run_info without its build time."""
    with duckdb.connect(str(bi_db), read_only=True) as bi:
        tables = {
            table: bi.execute("SELECT * FROM query_table($t) ORDER BY ALL", {"t": "mart." + table}).fetchall()
            for table in MART_TABLES
        }
        tables["run_info"] = bi.execute("SELECT * EXCLUDE (built_at) FROM mart.run_info").fetchall()
    return tables


def test_two_runs_without_new_files_publish_identical_tables(tmp_path):
    raw = make_raw(tmp_path / "raw", {
        "dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(20)] + [dossier(MaHoSo="BAD", PhiLePhi="-1")],
        "dossiers_20250302.csv": [dossier(MaHoSo="A3", TrangThaiHoSoId="4", NgayCapNhat="2025-03-06")],
    })
    settings = Settings(raw, tmp_path / "wh.duckdb", tmp_path / "bi" / "reform_bi.duckdb", None)
    assert materialize(ALL_ASSETS, resources=resources_from(settings)).success
    first = mart_contents(settings.bi_db)
    shutil.copy(raw / "dossiers_20250301.csv", raw / "dossiers_20250301 - Copy.csv")  # a renamed copy
    assert materialize(ALL_ASSETS, resources=resources_from(settings)).success
    second = mart_contents(settings.bi_db)
    files = {f["name"]: f["status"] for f in second.pop("run_info")[0][2]}
    first.pop("run_info")
    assert second == first
    assert files["dossiers_20250301 - Copy.csv"] == "duplicate"


def run_to_end(raw: Path, work: Path) -> None:
    command, env = pipeline_command(raw, work)
    subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True, timeout=600)


def run_and_kill(raw: Path, work: Path, marker: str) -> bool:
    """Start a run, SIGKILL it as soon as ``marker`` shows in its log; True if it was killed."""
    command, env = pipeline_command(raw, work)
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        for line in process.stderr:
            if marker in line:
                os.killpg(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=600)
    return process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """The sample without its last ten exports, run to the end once; and the full sample, run
    once from scratch (the clean reference)."""
    root = tmp_path_factory.mktemp("crash")
    early, full = root / "early", root / "full"
    shutil.copytree(SAMPLE, full)
    shutil.copytree(SAMPLE, early)
    for path in sorted(early.glob("dossiers_*"))[-10:]:
        path.unlink()
    run_to_end(early, root / "before")
    run_to_end(full, root / "clean")
    return root, full


@pytest.mark.parametrize(
    "stage, marker",
    [("ingestion", "validated"), ("metrics", "computing unit metrics"), ("publishing", "writing the BI file")],
)
def test_a_run_killed_mid_stage_leaves_a_consistent_state_and_the_next_run_recovers(history, stage, marker):
    root, full = history
    work = root / f"killed-{stage}"
    shutil.copytree(root / "before", work)
    bi = work / "bi" / "reform_bi.duckdb"
    previous = bi.read_bytes()

    killed = run_and_kill(full, work, marker)

    assert killed, f"the run finished before it could be killed during {stage}"
    assert bi.read_bytes() == previous  # the previous BI file is in place, whole
    with duckdb.connect(str(work / "reform.duckdb"), read_only=True) as con:  # opens: consistent
        assert con.execute(
            "SELECT count(*) FROM meta.input_files f WHERE f.kind = 'dossiers' AND f.status = 'ingested' AND "
            "f.rows_read <> (SELECT count(*) FROM staging.dossier_rows r "
            "                WHERE r.source_file = f.file_name AND r.reason IS NULL)"
            " + (SELECT count(*) FROM meta.quarantine q WHERE q.source_file = f.file_name)"
        ).fetchone() == (0,)

    run_to_end(full, work)

    assert mart_contents(bi) == mart_contents(root / "clean" / "bi" / "reform_bi.duckdb")
    assert not list(bi.parent.glob("*.tmp-*"))
