"""Dagster assets of the score stage (docs/spec §4.5–4.6)."""


from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from reform_pipeline.assets_common import DUCKDB_KINDS, OWNERS
from reform_pipeline.metadata import build_and_describe
from reform_pipeline.publish.report import scorecard_markdown
from reform_pipeline.score.build import build_index_766, build_scorecard

GROUP = "score"


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=["unit_metrics", "dossier_facts"])
def index_766(context: AssetExecutionContext, warehouse: DuckDBResource):
    """The 766-style service index (Decision 766/QĐ-TTg) for every unit and period: points per
    covered indicator and a total scaled to 100. Table score.index_766. docs/spec §4.5."""
    return MaterializeResult(
        metadata=build_and_describe(context, warehouse, build_index_766, "score.index_766", "computing the 766 index"))


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=["unit_metrics", "unit_metrics_current", "plan_targets", "rankings", "index_766"])
def scorecard(context: AssetExecutionContext, warehouse: DuckDBResource):
    """The provincial scorecard (bảng theo dõi chỉ tiêu): each plan target beside the measured
    year-to-date value and its status (met / not_met / no_data). Table score.scorecard. docs/spec §4.6."""
    metadata = build_and_describe(context, warehouse, build_scorecard, "score.scorecard", "computing the scorecard")
    with warehouse.get_connection() as con:
        metadata["scorecard"] = MetadataValue.md(scorecard_markdown(con))
    return MaterializeResult(metadata=metadata)
