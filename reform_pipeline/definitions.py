"""The Dagster code location: every stage's assets, the nightly job, schedule, sensor and checks.

Reads like a table of contents: ingest → model → score → publish (docs/architecture.md).
"""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from reform_pipeline.ingest.assets import dossiers, reference_data
from reform_pipeline.model.assets import calendar, dossier_facts, unit_history, unit_metrics, unit_metrics_current
from reform_pipeline.ops import NIGHTLY_JOB_NAME
from reform_pipeline.ops.checks import ALL_CHECKS as CHECK_STEPS
from reform_pipeline.ops.console import one_line_console_logger
from reform_pipeline.ops.schedules import nightly_schedule
from reform_pipeline.ops.sensors import raw_folder_sensor
from reform_pipeline.publish.assets import bi_candidate, bi_database, bi_does_not_shrink, scorecard_report
from reform_pipeline.resources import resources_from
from reform_pipeline.score.assets import index_766, scorecard
from reform_pipeline.settings import Settings

ALL_ASSETS = [
    reference_data, dossiers,  # ingest
    calendar, unit_history, dossier_facts, unit_metrics, unit_metrics_current,  # model
    index_766, scorecard,  # score
    bi_candidate, bi_database, scorecard_report,  # publish: build, gate (docs/spec §5.1), swap, page
]
# The checks of every asset, the publish gate among them.
ALL_CHECKS = [*CHECK_STEPS, bi_does_not_shrink]

# The whole pipeline, in one process: every step writes the same DuckDB file, so steps in
# parallel processes would only wait for its lock, and a process per step costs seconds each.
# Its selection takes every asset's checks along (ops/checks.py). A run whose process died is
# retried (deploy/dagster.yaml) with all its steps: the new BI file is built, gated and swapped
# in by one run, never from another run's leftovers (publish/assets.py).
nightly_job = define_asset_job(
    NIGHTLY_JOB_NAME, selection=AssetSelection.all(), executor_def=in_process_executor,
    tags={"dagster/retry_strategy": "ALL_STEPS"},
)

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[nightly_job],
    schedules=[nightly_schedule],  # 01:30 Asia/Ho_Chi_Minh
    sensors=[raw_folder_sensor],  # a new or changed file in REFORM_RAW_DIR
    resources=resources_from(Settings.from_env()),
    # Assets materialized from the UI run in one process too: one warehouse connection at a
    # time, and the run lock taken once for the run (reform_pipeline/resources.py).
    executor=in_process_executor,
    # one line per message on the terminal; the UI's event log keeps every stack trace
    loggers={"console": one_line_console_logger},
)
