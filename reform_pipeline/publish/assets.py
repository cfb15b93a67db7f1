"""Dagster assets of the publish stage."""


from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, TableColumn, TableSchema, asset
from dagster_duckdb import DuckDBResource

from reform_pipeline.assets_common import DUCKDB_KINDS, OWNERS, WAREHOUSE_POOL
from reform_pipeline.metadata import markdown_table
from reform_pipeline.publish.bi import BI_TABLES, publish_bi
from reform_pipeline.publish.report import scorecard_markdown, write_scorecard_html
from reform_pipeline.resources import ReformSettings
from reform_pipeline.warehouse import current_as_of

GROUP = "publish"


@asset(
    group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, pool=WAREHOUSE_POOL,
    deps=["dossier_facts", "unit_metrics", "index_766", "scorecard", "units", "dossiers"],
)
def bi_database(context: AssetExecutionContext, warehouse: DuckDBResource, reform: ReformSettings):
    """The published BI file (REFORM_BI_DB, schema `mart`): dossier facts, unit metrics, the
    766 index, the scorecard, units, quarantine summary and run info — no personal data, no raw
    rows. Built under a temporary name with STORAGE_VERSION 'v1.1.0' (readable by DuckDB ≥ 1.1)
    and swapped in whole by an atomic rename: open BI sessions keep their old view and never
    block the run. SPEC §5; docs/bi.md."""
    with warehouse.get_connection() as con:
        context.log.info(f"writing the BI file beside {reform.bi_path}")
        counts = publish_bi(con, reform.bi_path)
        quarantine = con.execute(
            "SELECT reason, count(*) FROM meta.quarantine GROUP BY reason ORDER BY reason"
        ).fetchall()
    context.log.info(f"published {reform.bi_path}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(reform.bi_path.resolve())),
            "size_bytes": MetadataValue.int(reform.bi_path.stat().st_size),
            "dagster/row_count": MetadataValue.int(sum(counts.values())),
            "dagster/column_schema": bi_table_schema(),
            "tables": MetadataValue.md(markdown_table(["table", "rows"], sorted(counts.items()))),
            "preview": MetadataValue.md(markdown_table(["quarantine reason", "rows"], quarantine)),
        }
    )


@asset(group_name=GROUP, owners=OWNERS, pool=WAREHOUSE_POOL, deps=["bi_database"], kinds={"html"})
def scorecard_report(context: AssetExecutionContext, warehouse: DuckDBResource, reform: ReformSettings):
    """The scorecard page (scorecard.html, next to the BI file): every plan target with met /
    not met, monthly trends, the 766 index by group and the units ranked on the weakest KPIs.
    Self-contained: opens offline, no CDN."""
    path = reform.bi_path.parent / "scorecard.html"
    with warehouse.get_connection() as con:
        write_scorecard_html(con, path, current_as_of(con))
        targets = con.execute("SELECT count(*) FROM score.scorecard").fetchone()[0]
        preview = scorecard_markdown(con)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path.resolve())),
            "size_bytes": MetadataValue.int(path.stat().st_size),
            "dagster/row_count": MetadataValue.int(targets),
            "preview": MetadataValue.md(preview),
        }
    )


def bi_table_schema() -> TableSchema:
    """The BI file's tables as one schema listing (column = table, type = its grain)."""
    return TableSchema(columns=[TableColumn(f"mart.{table}", "table") for table in BI_TABLES])
