"""``python -m reform_pipeline.run`` (``make run``): its printed summary and its exit codes.

The command leaves through ``os._exit`` to skip the interpreter's final garbage collection, so
these tests hold it to printing everything and exiting with the right code all the same.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb

from reform_pipeline_tests.fixtures import dossier, make_raw, pipeline_command

REPO = Path(__file__).resolve().parents[1]


def run(raw: Path, work: Path, dagster_home: Path | None = None,
        args: tuple[str, ...] = ("-m", "reform_pipeline.run")) -> subprocess.CompletedProcess:
    command, env = pipeline_command(raw, work, dagster_home=dagster_home, args=args)
    return subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_a_run_prints_its_summary_to_the_end_and_exits_0(tmp_path):
    raw = make_raw(tmp_path / "raw", {
        "dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(5)] + [dossier(MaHoSo="BAD", PhiLePhi="-1")],
    })
    home = tmp_path / "dagster_home"
    home.mkdir()
    done = run(raw, tmp_path, home)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "reform_pipeline: run finished in" in out
    assert "dossiers_20250301.csv" in out
    assert "bad_number" in out  # the quarantine, printed after the files
    assert "Checks:" in out  # the last block, printed after the scorecard
    assert out.endswith("\n")
    assert "leaked" not in done.stderr
    # the run is recorded in DAGSTER_HOME, for the UI's run history, with its whole event log
    from dagster import DagsterInstance, DagsterRunStatus

    with DagsterInstance.from_config(str(home)) as instance:
        (record,) = instance.get_run_records()
        assert record.dagster_run.status == DagsterRunStatus.SUCCESS


def test_missing_reference_file_exits_2_with_the_message(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    done = run(raw, tmp_path)
    assert done.returncode == 2
    assert "error: no agencies file in" in done.stderr


def test_a_failed_run_exits_1_and_says_so(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A1")]})
    # a warehouse from elsewhere, whose staging.agencies cannot take the unit tree: a step fails
    with duckdb.connect(str(tmp_path / "reform.duckdb")) as con:
        con.execute("CREATE SCHEMA staging; CREATE VIEW staging.agencies AS SELECT 1 AS agency_code")
    done = run(raw, tmp_path)
    assert done.returncode == 1
    assert "error in step reference_data" in done.stderr
    assert "the run failed" in done.stderr


def test_main_called_from_python_leaves_the_interpreter_clean(tmp_path):
    """main() itself freezes nothing out of the garbage collector (only the command does, just
    before it leaves): a program that calls it and exits normally sees no leak report."""
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A1")]})
    done = run(raw, tmp_path, args=("-c", "import sys, reform_pipeline.run as r; sys.exit(r.main())"))
    assert done.returncode == 0, done.stderr
    assert "Checks:" in done.stdout
    assert "leaked" not in done.stderr
