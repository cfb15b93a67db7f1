"""The code location loads and validates, with its schedule, sensor and checks (docs/operating.md)."""

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetSelection,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    materialize,
)

from reform_pipeline.definitions import ALL_ASSETS, defs
from reform_pipeline.definitions import ALL_CHECKS
from reform_pipeline.resources import resources_from
from reform_pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"


def _isolated_env(tmp_path: Path) -> dict[str, str]:
    """The venv's binaries, a DAGSTER_HOME holding deploy/dagster.yaml, data paths in tmp_path."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    env = dict(os.environ)
    env.update(
        VIRTUAL_ENV=str(REPO / ".venv"),
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        DAGSTER_HOME=str(home),
        REFORM_RAW_DIR=str(tmp_path / "raw"),
        REFORM_WAREHOUSE=str(tmp_path / "warehouse" / "reform.duckdb"),
        REFORM_BI_DB=str(tmp_path / "bi" / "reform_bi.duckdb"),
    )
    env.pop("REFORM_AS_OF", None)
    return env


def test_dg_check_defs_loads_and_validates_the_code_location(tmp_path):
    result = subprocess.run(
        [str(VENV_BIN / "dg"), "check", "defs"],
        cwd=REPO, env=_isolated_env(tmp_path), capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "All definitions loaded successfully" in output


def test_deploy_dagster_yaml_queues_runs_one_at_a_time_and_watches_their_processes(tmp_path):
    env = _isolated_env(tmp_path)
    instance = DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        concurrency = instance.get_concurrency_config()
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert concurrency.run_queue_config.max_concurrent_runs == 1
        # docs/spec §5.1: the daemon marks failed a started run whose process is gone
        assert type(instance.run_launcher).__name__ == "ProcessCheckingRunLauncher"
        assert instance.run_launcher.supports_check_run_worker_health
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_max_resume_run_attempts == 0
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 1
        assert instance.run_retries_retry_on_asset_or_op_failure is False
    finally:
        instance.dispose()


def test_nightly_job_schedule_and_sensor_are_registered_and_on_by_default():
    job = defs.resolve_job_def("nightly_refresh")
    assert job is not None
    schedule = defs.resolve_schedule_def("nightly_refresh_0130")
    sensor = defs.resolve_sensor_def("raw_folder_sensor")
    assert schedule.job_name == sensor.job_name == "nightly_refresh"
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    assert sensor.default_status == DefaultSensorStatus.RUNNING


def test_the_nightly_job_runs_every_check():
    job = defs.resolve_job_def("nightly_refresh")
    in_job = job.asset_layer.asset_graph.asset_check_keys
    assert {spec.key for check in ALL_CHECKS for spec in check.check_specs} <= in_job
    assert len(in_job) == 10  # the nine of ops/checks.py and the publish gate
    assert AssetCheckKey(AssetKey("bi_candidate"), "bi_does_not_shrink") in in_job


def test_error_checks_block_and_warn_checks_do_not():
    blocking = {
        (spec.asset_key.to_user_string(), spec.name): spec.blocking
        for check in ALL_CHECKS for spec in check.check_specs
    }
    assert blocking == {
        ("dossiers", "raw_rows_accounted_for"): True,
        ("units", "unit_tree_is_one_tree"): True,
        ("dossier_facts", "dossier_id_unique"): True,
        ("unit_metrics", "rates_within_0_1"): True,
        ("unit_metrics_current", "ended_units_reach_a_current_unit"): True,
        ("dossiers", "every_input_file_readable"): False,
        ("dossiers", "quarantine_share_within_2_percent"): False,
        ("dossiers", "newest_export_within_2_days"): False,
        ("dossier_facts", "latest_day_volume_not_halved"): False,
        ("bi_candidate", "bi_does_not_shrink"): True,
    }


def test_the_checks_of_one_asset_run_in_one_step_and_each_shows_on_its_own():
    job = defs.resolve_job_def("nightly_refresh")
    check_steps = {node.name for node in job.graph.node_defs if node.name.endswith("_checks")}
    assert check_steps == {
        "units_checks", "dossiers_checks", "dossier_facts_checks", "unit_metrics_checks", "unit_metrics_current_checks"}
    graph = defs.resolve_asset_graph()
    for check in ALL_CHECKS:
        for spec in check.check_specs:
            assert len(graph.get(spec.key).description or "") > 40, spec.key


def test_one_check_can_run_alone(tmp_path):
    duckdb.connect(str(tmp_path / "wh.duckdb")).close()
    settings = Settings(tmp_path / "raw", tmp_path / "wh.duckdb", tmp_path / "bi" / "reform_bi.duckdb", None)
    key = AssetCheckKey(AssetKey("dossiers"), "newest_export_within_2_days")
    result = materialize(
        ALL_ASSETS + ALL_CHECKS, selection=AssetSelection.checks(key), resources=resources_from(settings),
        instance=DagsterInstance.ephemeral(), raise_on_error=False,
    )
    evaluations = result.get_asset_check_evaluations()
    assert [(e.asset_key, e.check_name) for e in evaluations] == [(key.asset_key, key.name)]
    assert evaluations[0].description == "meta.input_files does not exist yet: materialize the asset first."
    assert not result.get_asset_materialization_events()


def test_every_asset_is_described_grouped_and_owned():
    graph = defs.resolve_asset_graph()
    keys = [key for assets_def in ALL_ASSETS for key in assets_def.keys]
    for key in keys:
        node = graph.get(key)
        assert node.description and len(node.description) > 40, key
        assert node.group_name in {"ingest", "model", "score", "publish"}, key
        assert node.owners == ["team:provincial-data"], key
    assert AssetKey("scorecard_report") in keys
