"""Dagster assets of the model stage (docs/spec §4.1–4.4, §4.7)."""


from dagster import AssetExecutionContext, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from reform_pipeline.assets_common import DUCKDB_KINDS, OWNERS
from reform_pipeline.metadata import build_and_describe
from reform_pipeline.model.build import (
    build_calendar, build_dossier_facts, build_unit_history, build_unit_metrics, build_unit_metrics_current,
)

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


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=["units", "unit_changes", "dossiers"])
def unit_history(context: AssetExecutionContext, warehouse: DuckDBResource):
    """The unit tree with its history at the as-of date: every unit's life (valid_from, valid_to),
    its successor, and its current unit cur(u) (itself if alive at the as-of date, else its
    successor's current unit, else its parent's). The metadata counts the units alive now and
    those that ended, and lists where the history of the ended units went. Table model.units,
    with model.unit_rollup (which receiving units each unit covers on the tree as it was and on
    today's tree); published as mart.units. docs/spec §2.3, §2.6, §4.7."""
    return MaterializeResult(metadata=build_and_describe(context, warehouse, build_unit_history, "model.units", "resolving each unit's current unit"))


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=["calendar", "dossiers", "procedures", "unit_history"])
def dossier_facts(context: AssetExecutionContext, warehouse: DuckDBResource):
    """One row per dossier at the as-of date: due date, end date, elapsed and allowed working
    days, outcome (early / on_time / late / in_progress / overdue / withdrawn / not_accepted).
    No personal data. Table model.dossier_facts, published as mart.dossier_facts. docs/spec §4.2."""
    return MaterializeResult(metadata=build_and_describe(context, warehouse, build_dossier_facts, "model.dossier_facts", "computing dossier facts"))


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=["dossier_facts", "unit_history", "procedures"])
def unit_metrics(context: AssetExecutionContext, warehouse: DuckDBResource):
    """Every metric code of docs/spec §4.4 for every unit (its whole subtree, the tree as it was:
    a dossier counts for the unit that received it and that unit's ancestors), every month,
    quarter and year of the unit's life up to the as-of date: numerator, denominator, value (NULL
    when the denominator is 0). Table model.unit_metrics, published as mart.unit_metrics.
    docs/spec §4.3–4.4; docs/metrics.md."""
    return MaterializeResult(metadata=build_and_describe(context, warehouse, build_unit_metrics, "model.unit_metrics", "computing unit metrics (the tree as it was)"))


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=["unit_metrics", "unit_history"])
def unit_metrics_current(context: AssetExecutionContext, warehouse: DuckDBResource):
    """The same metrics restated on today's tree: every unit alive at the as-of date, every period
    from the first month of data, each dossier counted for its receiving unit's current unit, so
    that a ward formed in July 2025 has a 2024 to compare with. Table model.unit_metrics_current,
    published as mart.unit_metrics_current; the scorecard reads it for units alive at the as-of
    date. docs/spec §4.7."""
    return MaterializeResult(metadata=build_and_describe(context, warehouse, build_unit_metrics_current, "model.unit_metrics_current", "computing unit metrics (today's tree)"))
