"""deploy/helm/values.yaml, the values for Dagster's Helm chart (docs/deploy.md, Kubernetes): a
cheap sanity check, no cluster. It parses, it holds every key the doc names, and its queue, run
monitoring and retries, written into a dagster.yaml as the chart's instance templates write them,
give Dagster the same settings as deploy/postgres/dagster.yaml, which is tested on a real
PostgreSQL (test_postgres_instance.py)."""

from __future__ import annotations

import yaml
from dagster import DagsterInstance

from reform_pipeline_tests.processes import REPO

VALUES = REPO / "deploy" / "helm" / "values.yaml"
DOC = REPO / "docs" / "deploy.md"
POSTGRES_YAML = REPO / "deploy" / "postgres" / "dagster.yaml"

# every key path docs/deploy.md names in its table of values
DOCUMENTED_KEYS = [
    "postgresql.enabled", "postgresql.postgresqlHost", "postgresql.postgresqlUsername",
    "postgresql.postgresqlDatabase", "postgresql.service.port", "postgresql.postgresqlScheme",
    "generatePostgresqlPasswordSecret", "global.postgresqlSecretName",
    "dagster-user-deployments.deployments",
    "runLauncher.type", "runLauncher.config.k8sRunLauncher.runK8sConfig",
    "dagsterDaemon.runCoordinator", "dagsterDaemon.runMonitoring", "dagsterDaemon.runRetries",
    "additionalInstanceConfig.run_retries",
]


def _values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def _get(values: dict, path: str):
    node = values
    for part in path.split("."):
        assert isinstance(node, dict) and part in node, f"deploy/helm/values.yaml has no {path}"
        node = node[part]
    return node


def test_the_values_parse_and_hold_every_key_the_doc_names():
    values = _values()
    doc = DOC.read_text()
    for path in DOCUMENTED_KEYS:
        _get(values, path)
        assert f"`{path}`" in doc or path.split(".")[-1] in doc, f"docs/deploy.md does not name {path}"

    assert _get(values, "runLauncher.type") == "K8sRunLauncher"
    coordinator = _get(values, "dagsterDaemon.runCoordinator")
    assert coordinator["enabled"] is True and coordinator["type"] == "QueuedRunCoordinator"
    assert _get(values, "postgresql.enabled") is False
    assert _get(values, "postgresql.postgresqlScheme") == "postgresql+psycopg2"
    assert _get(values, "generatePostgresqlPasswordSecret") is False

    (deployment,) = _get(values, "dagster-user-deployments.deployments")
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "reform_pipeline.provinces_definitions"]
    assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}
    env = {item["name"]: item["value"] for item in deployment["env"]}
    assert env["REFORM_PROVINCES_DIR"] == "/data/provinces"
    assert "REFORM_DUCKDB_MEMORY_LIMIT" in env


def _chart_instance_yaml(values: dict) -> dict:
    """The parts of the instance dagster.yaml the chart renders from these values
    (templates/configmap-instance.yaml, helpers/instance/_run-coordinator.tpl of the chart)."""
    daemon = values["dagsterDaemon"]
    queued = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]
    monitoring = daemon["runMonitoring"]
    rendered = {
        "run_coordinator": {
            "module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator",
            "config": {"max_concurrent_runs": queued["maxConcurrentRuns"],
                       "tag_concurrency_limits": queued["tagConcurrencyLimits"],
                       "dequeue_interval_seconds": queued["dequeueIntervalSeconds"]},
        },
        "run_monitoring": {
            "enabled": monitoring["enabled"], "start_timeout_seconds": monitoring["startTimeoutSeconds"],
            "cancel_timeout_seconds": monitoring["cancelTimeoutSeconds"],
            "max_resume_run_attempts": monitoring["maxResumeRunAttempts"],
            "poll_interval_seconds": monitoring["pollIntervalSeconds"],
            "free_slots_after_run_end_seconds": monitoring["freeSlotsAfterRunEndSeconds"],
        },
        "telemetry": {"enabled": False},
    }
    assert not daemon["runRetries"]["enabled"], "the chart's own run_retries would clash with additionalInstanceConfig"
    rendered.update(values["additionalInstanceConfig"])
    return rendered


def test_the_chart_gets_the_queue_monitoring_and_retries_of_the_postgres_dagster_yaml(tmp_path):
    chart_home = tmp_path / "chart"
    chart_home.mkdir()
    (chart_home / "dagster.yaml").write_text(yaml.safe_dump(_chart_instance_yaml(_values())))
    # the same file with SQLite storage: only the queue and the daemon's settings are compared
    postgres_home = tmp_path / "postgres"
    postgres_home.mkdir()
    shipped = yaml.safe_load(POSTGRES_YAML.read_text())
    shipped.pop("storage")
    (postgres_home / "dagster.yaml").write_text(yaml.safe_dump(shipped))

    with DagsterInstance.from_config(str(chart_home)) as chart, \
            DagsterInstance.from_config(str(postgres_home)) as reference:
        assert type(chart.run_coordinator).__name__ == "QueuedRunCoordinator"
        ours = chart.get_concurrency_config().run_queue_config
        theirs = reference.get_concurrency_config().run_queue_config
        assert (ours.max_concurrent_runs, ours.tag_concurrency_limits) == \
            (theirs.max_concurrent_runs, theirs.tag_concurrency_limits) == \
            (2, [{"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}])
        for setting in ("run_monitoring_enabled", "run_monitoring_start_timeout_seconds",
                        "run_monitoring_max_resume_run_attempts", "run_monitoring_poll_interval_seconds",
                        "run_retries_enabled", "run_retries_max_retries", "run_retries_retry_on_asset_or_op_failure"):
            assert getattr(chart, setting) == getattr(reference, setting), setting
