"""The scorecard page's view model, and the rule that ranks units on the weakest KPIs.

``page_model`` reads the warehouse (publish/report_data.py) and turns it into plain values:
dataclasses of formatted strings and numbers, the charts as coordinates. The template
``scorecard_template.html`` (with ``scorecard_charts.svg``) lays them out and escapes every value.

Every block of numbers carries the label of the unit tree it comes from (docs/spec §4.7): the plan
targets, their monthly trends and the units to improve are on today's units, with the history of
the units that ended restated on the units that took them over (the tree as it was only for a
scope unit that has ended, row by row as score.scorecard says); the 766 index is on the tree as it
was (docs/spec §4.5), with the dossiers it covers beside those of today's tree.

Ranking of units on the weakest KPIs (a rule of this page; the contract is silent), in the pure
functions ``weakest`` and ``worst_units``:

* the current year is the year of the as-of date; the KPIs considered are the plan targets of
  that year (when no plan has targets for it, those of the latest plan year before it, else of
  the latest plan year), each measured on its own scope unit over the current year;
* a KPI's shortfall is how far that value is on the wrong side of the target, relative to the
  target (``(target − value) / |target|`` for ``>``/``>=``, ``(value − target) / |target|`` for
  ``<``/``<=``; the plain difference when the target is 0); the ``WEAK_KPI_COUNT`` KPIs with the
  largest shortfall are the weakest (met targets come last, by their margin); KPIs without a
  value cannot be ranked and are left out;
* for each, the units below the scope unit in today's tree (its whole subtree among the units
  alive at the as-of date, the scope itself excluded; none when the scope unit has ended) are
  ranked worst first on the same metric over the current year, restated on today's tree
  (model.unit_metrics_current), ``RANKED_UNITS`` of them, leaving
  out units whose denominator is below ``MIN_DENOMINATOR`` (too few dossiers, or procedures for
  the catalogue metrics, to say anything) and metrics without a denominator (counts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from reform_pipeline.publish.report_data import (
    Catalogue,
    TargetRow,
    province,
    province_index,
    read_catalogue,
    received_on_both_trees,
    records,
    scorecard_rows,
    units_summary,
)
from reform_pipeline.publish.report_format import (
    AS_WAS,
    COUNT,
    CURRENT,
    KIND_LABELS,
    RATE,
    STATUS_LABELS,
    TREE_LABELS,
    WORKING_DAYS,
    axis_label,
    bilingual,
    format_measured,
    format_points,
    format_target,
    format_value,
    fraction,
    higher_is_better,
    holds,
    tree_label,
    units_line,
)

WEAK_KPI_COUNT = 3
RANKED_UNITS = 10
MIN_DENOMINATOR = 30

# ---------------------------------------------------------------------------------------------
# The ranking rule (pure: plain rows in, plain rows out)


@dataclass(frozen=True)
class PlanKpi:
    """A plan target with its KPI measured on its scope unit over the current year
    (sql/publish/report_plan_kpis.sql); value, numerator, denominator NULL when not measured;
    tree: 'current' (today's units, restated) or 'as_was' for a scope unit that has ended."""

    plan_id: str
    scope_code: str
    year: int
    kpi_code: str
    comparator: str
    target: float
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    scope_name: str | None = None
    tree: str = CURRENT


@dataclass(frozen=True)
class WeakKpi:
    scope_code: str
    scope_name: str
    kpi_code: str
    comparator: str
    target: float
    value: float
    numerator: int | None
    denominator: int | None
    shortfall: float
    tree: str = CURRENT


def shortfall(value: float, comparator: str, target: float) -> float:
    """How far ``value`` is on the wrong side of ``target``, relative to it (< 0 when met)."""
    gap = (target - value) if higher_is_better(comparator) else (value - target)
    return gap / abs(target) if target else gap


def weakest(kpis: Sequence[PlanKpi], year: int, limit: int = WEAK_KPI_COUNT) -> list[WeakKpi]:
    """The plan KPIs furthest from target over ``year``, worst first. ``kpis`` are the targets of
    every plan year (in year, plan, scope, KPI order), each measured over ``year``; the targets of
    ``year`` count, else those of the latest plan year before it, else of the latest; a KPI
    targeted twice counts once (its first target); KPIs without a value are left out."""
    years = sorted({k.year for k in kpis})
    if not years:
        return []
    plan_year = year if year in years else max([y for y in years if y <= year] or years)
    seen: set[tuple[str, str]] = set()
    candidates: list[WeakKpi] = []
    for k in kpis:
        key = (k.scope_code, k.kpi_code)
        if k.year != plan_year or key in seen:
            continue
        seen.add(key)
        if k.value is None:
            continue
        target = float(k.target)
        candidates.append(
            WeakKpi(k.scope_code, k.scope_name or k.scope_code, k.kpi_code, k.comparator, target,
                    float(k.value), k.numerator, k.denominator, shortfall(k.value, k.comparator, target),
                    k.tree)
        )
    candidates.sort(key=lambda k: (-k.shortfall, k.scope_code, k.kpi_code))
    return candidates[:limit]


def worst_units(
    units: Sequence[dict[str, Any]],
    comparator: str,
    *,
    min_denominator: int = MIN_DENOMINATOR,
    limit: int = RANKED_UNITS,
) -> list[dict[str, Any]]:
    """``units`` (dicts with scope_code, value and denominator) worst first for a KPI with
    ``comparator``, ``limit`` of them: units without a value, or whose denominator is missing or
    below ``min_denominator``, are left out; ties go to the larger denominator, then the code."""
    better_high = higher_is_better(comparator)
    kept = [
        u for u in units
        if u["value"] is not None and u["denominator"] is not None and u["denominator"] >= min_denominator
    ]
    kept.sort(
        key=lambda u: (u["value"] if better_high else -u["value"], -u["denominator"], u["scope_code"])
    )
    return kept[:limit]


def weakest_kpis(con: duckdb.DuckDBPyConnection, year: int, limit: int = WEAK_KPI_COUNT) -> list[WeakKpi]:
    """The plan KPIs of ``year`` furthest from target, measured on their scope over ``year``."""
    return weakest([PlanKpi(**r) for r in records(con, "report_plan_kpis", year=year)], year, limit)


def ranked_units(
    con: duckdb.DuckDBPyConnection,
    scope_code: str,
    kpi_code: str,
    comparator: str,
    year: int,
    *,
    min_denominator: int = MIN_DENOMINATOR,
    limit: int = RANKED_UNITS,
) -> list[dict[str, Any]]:
    """The units below ``scope_code`` in today's tree, worst first on ``kpi_code`` over ``year``
    restated on today's tree; none when ``scope_code`` has ended."""
    units = records(con, "report_units_below", scope=scope_code, metric=kpi_code, year=year)
    return worst_units(units, comparator, min_denominator=min_denominator, limit=limit)


# ---------------------------------------------------------------------------------------------
# The page's view model: every text already formatted, every chart as coordinates


@dataclass(frozen=True)
class Status:
    css: str  # met, not_met or no_data
    vi: str
    en: str


def status(code: str) -> Status:
    vi, en = STATUS_LABELS.get(code, (code, code))
    return Status(code if code in STATUS_LABELS else "no_data", vi, en)


@dataclass(frozen=True)
class Tree:
    """The tag of the unit tree a block of numbers comes from (docs/spec §4.7)."""

    css: str  # current or as_was
    vi: str
    en: str


def tree_tag(code: str | None) -> Tree | None:
    """The tag of a tree code; None for a value that no unit tree measured (no tag shown)."""
    if code is None:
        return None
    vi, en = tree_label(code)
    return Tree(code if code in TREE_LABELS else "unknown", vi, en)


@dataclass(frozen=True)
class Bar:
    css: str
    x: float
    y: float
    width: float
    height: float
    tip: str


@dataclass(frozen=True)
class TrendChart:
    """A monthly bar chart of one KPI over one year, with the target as a dashed line."""

    width: int
    height: int
    left: int
    right_x: int  # where the plot ends on the right
    title: str
    gridlines: list[tuple[float, str]]  # (y, axis label)
    months: list[tuple[float, str]]  # (x, label) under each month's slot
    month_y: int
    bars: list[Bar]
    target: tuple[float, str] | None  # (y, label)
    empty_at: tuple[float, float] | None  # where "no monthly data" goes, when there is none


@dataclass(frozen=True)
class GroupBar:
    vi: str
    en: str
    y: int  # top of the row
    width: float  # the filled part of the bar
    shown: str


@dataclass(frozen=True)
class GroupChart:
    """Horizontal bars: points earned over the covered maximum, one per 766 group."""

    width: int
    height: int
    left: int
    bar_width: int
    bar_height: int
    rows: list[GroupBar]


@dataclass(frozen=True)
class TargetView:
    plan_id: str
    scope: str
    year: int
    kpi: tuple[str, str]
    kpi_code: str
    target: str
    value: str
    fraction: str
    status: Status
    chart: TrendChart
    tree: Tree | None  # the tree the value and the chart come from


@dataclass(frozen=True)
class IndicatorView:
    group: tuple[str, str]
    label: tuple[str, str]
    rate: str
    threshold: str
    points: str
    max_points: str


@dataclass(frozen=True)
class IndexView:
    unit_name: str
    year: int
    start: str
    end: str
    score: str
    points: str
    max_points: str
    groups: GroupChart
    rows: list[IndicatorView]
    month: tuple[str, str] | None  # (MM/YYYY, score) of the latest month
    tree: Tree  # the tree as it was (docs/spec §4.5)
    received_label: tuple[str, str]  # the catalogue's label of the dossiers received
    received: tuple[str, str] | None  # over the index's year: (tree as it was, today's tree)
    trees_differ: bool


@dataclass(frozen=True)
class UnitView:
    rank: int
    name: str
    code: str
    kind: tuple[str, str] | None
    value: str
    fraction: str


@dataclass(frozen=True)
class WeakView:
    kpi: tuple[str, str]
    scope: str
    value: str
    target: str
    status: Status
    is_count: bool
    units: list[UnitView]
    tree: Tree | None  # the tree the scope's value comes from
    scope_ended: bool  # the scope unit is not in today's tree: no units listed


@dataclass(frozen=True)
class Page:
    title: str
    as_of: str
    units: tuple[str, str]  # the "about the units" line
    targets: list[TargetView]
    index: IndexView | None
    year: int
    ranked_units: int
    min_denominator: int
    weak: list[WeakView]
    current_tree: Tree


def trend_chart(
    label: tuple[str, str],
    kind: str,
    year: int,
    months: Sequence[dict[str, Any]],
    comparator: str,
    target: float | None,
) -> TrendChart:
    """The monthly chart of one KPI (``label``, a metric of ``kind``) over ``year``."""
    width, height = 348, 158
    left, right, top, bottom = 46, 10, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(m["value"]) for m in months if m["value"] is not None]
    bounds = values + ([float(target)] if target is not None else []) + [0.0]
    ceiling, floor = max(bounds), min(bounds)
    if kind in (COUNT, WORKING_DAYS):
        y_max = ceiling * 1.15 if ceiling > 0 else (0.0 if floor < 0 else 1.0)
        y_min = floor * 1.15 if floor < 0 else 0.0
    else:
        y_max = max(1.0, ceiling)  # rates: the whole 0–100 % scale, …
        y_min = min(0.0, floor)  # … and below 0 for a rate that may be negative (a cut that became a rise)

    def y(v: float) -> float:
        return top + plot_h * (y_max - v) / (y_max - y_min)

    slot = plot_w / 12
    bars = []
    for m in months:
        if m["value"] is None:
            continue
        value = float(m["value"])
        css = "bar"
        if target is not None:
            css = "bar-met" if holds(value, comparator, float(target)) else "bar-not_met"
        y0, y1 = y(max(value, 0.0)), y(min(value, 0.0))  # from the 0 line, up or down
        tip = f"T{m['month']}/{year}: {format_value(kind, value)} ({fraction(m['numerator'], m['denominator'])})"
        bars.append(Bar(css, left + (m["month"] - 1) * slot + slot * 0.2, y0, slot * 0.6, y1 - y0, tip))
    if y_min == 0:
        levels = [0.0, y_max / 2, y_max]
    elif y_max == 0:
        levels = [y_min, y_min / 2, 0.0]
    else:
        levels = [y_min, 0.0, y_max]
    return TrendChart(
        width=width,
        height=height,
        left=left,
        right_x=width - right,
        title=f"{bilingual(label)} — {year}",
        gridlines=[(y(level), axis_label(kind, level)) for level in levels],
        months=[(left + (month - 0.5) * slot, f"T{month}") for month in range(1, 13)],
        month_y=height - 8,
        bars=bars,
        target=None if target is None else (y(float(target)), format_target(kind, comparator, target)),
        empty_at=None if values else (left + plot_w / 2, top + plot_h / 2),
    )


def group_chart(groups: Sequence[tuple[str, str, float, int]]) -> GroupChart:
    """(group, English name, points earned, covered maximum) → one bar each."""
    width, row_h, left, right = 580, 36, 210, 170
    bar_w = width - left - right
    rows = []
    for i, (group_vi, group_en, points, covered) in enumerate(groups):
        share = points / covered if covered else 0.0
        shown = f"{points:.2f} / {covered}" if covered else "chưa đo / not covered"
        rows.append(GroupBar(group_vi, group_en, 4 + i * row_h, bar_w * share, shown))
    return GroupChart(width, row_h * len(groups) + 8, left, bar_w, row_h - 14, rows)


def _target_views(
    con: duckdb.DuckDBPyConnection, rows: Sequence[TargetRow], catalogue: Catalogue
) -> list[TargetView]:
    views = []
    for row in rows:
        label = catalogue.label(row.kpi_code)
        kind = catalogue.kind(row.kpi_code)
        months = records(
            con, "report_monthly_values", scope=row.scope_code, metric=row.kpi_code, year=row.year, tree=row.tree
        )
        views.append(
            TargetView(
                plan_id=row.plan_id,
                scope=row.scope_name or row.scope_code,
                year=row.year,
                kpi=label,
                kpi_code=row.kpi_code,
                target=format_target(kind, row.comparator, row.target),
                value=format_measured(kind, row.value, row.target),
                fraction=fraction(row.numerator, row.denominator),
                status=status(row.status),
                chart=trend_chart(label, kind, row.year, months, row.comparator, row.target),
                tree=tree_tag(row.tree),
            )
        )
    return views


def _index_view(
    con: duckdb.DuckDBPyConnection, root: tuple[str, str] | None, catalogue: Catalogue
) -> IndexView | None:
    if root is None:
        return None
    summary = province_index(con, root[0], "year")
    if summary is None:
        return None
    total = summary.total
    groups = []
    for group, english in catalogue.groups.items():
        members = [r for r in summary.rows if r["indicator_group"] == group and r["points"] is not None]
        groups.append(
            (group, english, sum(float(r["points"]) for r in members), sum(int(r["max_points"]) for r in members))
        )
    rows = []
    for r in summary.rows:
        group = r["indicator_group"] or ""
        rows.append(
            IndicatorView(
                group=(group, catalogue.groups.get(group, group)),
                label=catalogue.indicator_label(r["indicator_code"]),
                rate=format_value(RATE, r["rate"]),
                threshold=format_value(RATE, r["threshold"], decimals=0),
                points=format_points(r["points"]) if r["points"] is not None else "chưa đo / not covered",
                max_points=str(r["max_points"]),
            )
        )
    received = received_on_both_trees(con, root[0], summary)
    month = province_index(con, root[0], "month")
    latest_month = None
    if month is not None and month.total["score_100"] is not None:
        latest_month = (f"{month.period_start:%m/%Y}", f"{float(month.total['score_100']):.2f}")
    return IndexView(
        unit_name=root[1],
        year=summary.period_start.year,
        start=summary.period_start.isoformat(),
        end=summary.period_end.isoformat(),
        score="—" if total["score_100"] is None else f"{float(total['score_100']):.2f}",
        points=format_points(total["points"]),
        max_points=str(total["max_points"]),
        groups=group_chart(groups),
        rows=rows,
        month=latest_month,
        tree=tree_tag(AS_WAS),
        received_label=received.label,
        received=None if received.as_was is None and received.current is None
        else (format_value(COUNT, received.as_was), format_value(COUNT, received.current)),
        trees_differ=received.as_was != received.current,
    )


def _weak_views(
    con: duckdb.DuckDBPyConnection, year: int, min_denominator: int, catalogue: Catalogue
) -> list[WeakView]:
    views = []
    for kpi in weakest_kpis(con, year):
        kind = catalogue.kind(kpi.kpi_code)
        units = []
        scope_ended = kpi.tree == AS_WAS
        if kind != COUNT and not scope_ended:
            ranked = ranked_units(con, kpi.scope_code, kpi.kpi_code, kpi.comparator, year,
                                  min_denominator=min_denominator)
            for rank, unit in enumerate(ranked, start=1):
                unit_kind = unit["kind"] or ""
                units.append(
                    UnitView(
                        rank=rank,
                        name=unit["scope_name"],
                        code=unit["scope_code"],
                        kind=KIND_LABELS.get(unit_kind, (unit_kind, unit_kind)) if unit_kind else None,
                        value=format_value(kind, unit["value"]),
                        fraction=fraction(unit["numerator"], unit["denominator"]),
                    )
                )
        views.append(
            WeakView(
                kpi=catalogue.label(kpi.kpi_code),
                scope=kpi.scope_name,
                value=format_measured(kind, kpi.value, kpi.target),
                target=format_target(kind, kpi.comparator, kpi.target),
                status=status("met" if holds(kpi.value, kpi.comparator, kpi.target) else "not_met"),
                is_count=kind == COUNT,
                units=units,
                tree=tree_tag(kpi.tree),
                scope_ended=scope_ended,
            )
        )
    return views


def page_model(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, *, min_denominator: int = MIN_DENOMINATOR
) -> Page:
    """Everything the scorecard page shows, read from the warehouse."""
    catalogue = read_catalogue(con)
    root = province(con)
    province_name = root[1] if root else ""
    units = units_summary(con, as_of)
    return Page(
        title=f"Bảng điểm cải cách hành chính — {province_name}".rstrip(" —"),
        as_of=as_of.isoformat(),
        units=units_line(units.alive, units.ended, as_of.isoformat()),
        targets=_target_views(con, scorecard_rows(con), catalogue),
        index=_index_view(con, root, catalogue),
        year=as_of.year,
        ranked_units=RANKED_UNITS,
        min_denominator=min_denominator,
        weak=_weak_views(con, as_of.year, min_denominator, catalogue),
        current_tree=tree_tag(CURRENT),
    )
