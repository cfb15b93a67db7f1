"""The Dagster code location: every stage's assets, the nightly job, schedule, sensor and checks.

Reads like a table of contents: ingest → model → score → publish (docs/architecture.md).
"""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from reform_pipeline.ingest.assets import dossiers, reference_data
from reform_pipeline.model.assets import calendar, dossier_facts, unit_metrics
from reform_pipeline.publish.assets import bi_database, scorecard_report
from reform_pipeline.resources import resources_from
from reform_pipeline.score.assets import index_766, scorecard
from reform_pipeline.settings import Settings

ALL_ASSETS = [
    reference_data, dossiers,  # ingest
    calendar, dossier_facts, unit_metrics,  # model
    index_766, scorecard,  # score
    bi_database, scorecard_report,  # publish
]

# The whole pipeline, in one process: every step writes the same DuckDB file, so steps in
# parallel processes would only wait for its lock, and a process per step costs seconds each.
nightly_job = define_asset_job("nightly_refresh", selection=AssetSelection.all(), executor_def=in_process_executor)

defs = Definitions(
    assets=ALL_ASSETS,
    jobs=[nightly_job],
    resources=resources_from(Settings.from_env()),
)
