"""deploy/postgres/dagster.yaml, the DAGSTER_HOME of the distributed deployment (docs/deploy.md),
on a real PostgreSQL server: the pipeline, run as users run it (`python -m reform_pipeline.run`
in its own process), records its run, every materialization and every check in PostgreSQL, where
a fresh instance (another process, another machine) finds them, and nothing in SQLite files
under DAGSTER_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, DagsterEventType, DagsterRunStatus

from reform_pipeline_tests.fixtures import pipeline_command
from reform_pipeline_tests.postgres import write_postgres_dagster_home
from reform_pipeline_tests.processes import REPO, RUN_TIMEOUT

SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db-wal", ".db-journal")


def _small_raw(folder: Path) -> Path:
    """Two months of the sample generator's province, 2,000 dossiers: a run of a few seconds."""
    subprocess.run([sys.executable, "-m", "reform_pipeline.sample", "--out", str(folder), "--start", "2026-10-01",
                    "--end", "2026-11-30", "--dossiers", "2000", "--quiet"], cwd=REPO, check=True, timeout=120)
    return folder


def test_a_run_under_the_postgres_dagster_yaml_is_stored_in_postgresql(tmp_path, postgres_database):
    raw = _small_raw(tmp_path / "raw")
    home = write_postgres_dagster_home(tmp_path / "dagster_home", postgres_database)
    command, env = pipeline_command(raw, tmp_path / "work", dagster_home=home.path)
    for name in ("REFORM_AS_OF", "REFORM_ACCEPT_SHRINK", "REFORM_LOCK_WAIT_SECONDS"):
        env.pop(name, None)
    env.update(home.env)
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (tmp_path / "work" / "bi" / "reform_bi.duckdb").is_file()

    # a fresh instance, in this process, from nothing but the DAGSTER_HOME and the variables
    with home.instance() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"

        (record,) = instance.get_run_records()
        run = record.dagster_run
        assert run.job_name == "nightly_refresh"
        assert run.status == DagsterRunStatus.SUCCESS
        assert run.tags["started_by"] == "make run"

        materialized = {
            entry.event_log_entry.dagster_event.asset_key
            for entry in instance.get_records_for_run(
                run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=1000).records
        }
        # the stages' last assets, and every stage in between
        for name in ("units", "bi_candidate", "bi_database", "scorecard_report"):
            assert AssetKey(name) in materialized, sorted(key.to_user_string() for key in materialized)
        latest = instance.get_latest_materialization_event(AssetKey("bi_database"))
        assert latest is not None and latest.run_id == run.run_id
        checks = instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION, limit=1000).records
        assert any(entry.event_log_entry.dagster_event.event_specific_data.check_name == "bi_does_not_shrink"
                   for entry in checks)

        # the queue limits of the file, as the daemon reads them
        queue = instance.get_concurrency_config().run_queue_config
        assert queue.max_concurrent_runs == 2
        assert queue.tag_concurrency_limits == [
            {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]
        assert type(instance.run_launcher).__name__ == "ProcessCheckingRunLauncher"

    # the same rows, read with plain SQL from the database itself
    with postgres_database.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT run_id, status FROM runs")
        assert cursor.fetchall() == [(run.run_id, "SUCCESS")]
        cursor.execute("SELECT count(*) FROM event_logs WHERE run_id = %s AND dagster_event_type = %s",
                       (run.run_id, "ASSET_MATERIALIZATION"))
        assert cursor.fetchone()[0] == len(materialized)

    # and no run history in files: no SQLite database anywhere under DAGSTER_HOME
    sqlite_files = [path for path in home.path.rglob("*") if path.name.endswith(SQLITE_SUFFIXES)]
    assert sqlite_files == []
    assert not (home.path / "history").exists()
    assert not (home.path / "schedules").exists()


def test_the_postgres_dagster_yaml_reads_every_connection_setting_from_the_environment():
    """No host, user or password is written in the file: it serves every machine unchanged."""
    import yaml

    config = yaml.safe_load((REPO / "deploy" / "postgres" / "dagster.yaml").read_text())
    db = config["storage"]["postgres"]["postgres_db"]
    assert db == {"hostname": {"env": "DAGSTER_PG_HOST"}, "port": {"env": "DAGSTER_PG_PORT"},
                  "username": {"env": "DAGSTER_PG_USER"}, "password": {"env": "DAGSTER_PG_PASSWORD"},
                  "db_name": {"env": "DAGSTER_PG_DB"}, "scheme": "postgresql+psycopg2"}
    assert "DAGSTER_PG_PASSWORD" not in os.environ or os.environ["DAGSTER_PG_PASSWORD"] not in str(config)
