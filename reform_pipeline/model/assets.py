"""Dagster assets of the model stage (docs/spec §4.1–4.4)."""


from dagster import AssetExecutionContext, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from reform_pipeline.assets_common import DUCKDB_KINDS, OWNERS
from reform_pipeline.metadata import build_and_describe
from reform_pipeline.model.build import build_calendar, build_dossier_facts, build_unit_metrics

GROUP = "model"


@asset(
    group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
    deps=["dossiers", "calendar_overrides", "procedures"],
)
def calendar(context: AssetExecutionContext, warehouse: DuckDBResource):
    """Working-day calendar (ngày làm việc): Mon–Fri minus Vietnam's public holidays (Tết, Hùng
    Kings day …) plus make-up Saturdays, then the calendar* overrides. wd_index counts working days
    so that wd(a, b) is one subtraction. Table model.calendar. docs/spec §4.1."""
    return MaterializeResult(metadata=build_and_describe(context, warehouse, build_calendar, "model.calendar", "building the working-day calendar"))


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=["calendar", "dossiers", "procedures"])
def dossier_facts(context: AssetExecutionContext, warehouse: DuckDBResource):
    """One row per dossier at the as-of date: due date, end date, elapsed and allowed working
    days, outcome (early / on_time / late / in_progress / overdue / withdrawn / not_accepted).
    No personal data. Table model.dossier_facts, published as mart.dossier_facts. docs/spec §4.2."""
    return MaterializeResult(metadata=build_and_describe(context, warehouse, build_dossier_facts, "model.dossier_facts", "computing dossier facts"))


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=["dossier_facts", "units", "procedures"])
def unit_metrics(context: AssetExecutionContext, warehouse: DuckDBResource):
    """Every metric code of docs/spec §4.4 for every unit (its whole subtree), every month, quarter
    and year up to the as-of date: numerator, denominator, value (NULL when the denominator is
    0). Table model.unit_metrics, published as mart.unit_metrics. docs/spec §4.3–4.4; docs/metrics.md."""
    return MaterializeResult(metadata=build_and_describe(context, warehouse, build_unit_metrics, "model.unit_metrics", "computing unit metrics"))
