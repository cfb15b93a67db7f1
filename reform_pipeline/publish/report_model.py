"""The scorecard page's view model, and the rules that pick the plan year, compare with the
previous year and rank units on the weakest KPIs.

``page_model`` reads the warehouse (publish/report_data.py, and publish/unit_table.py for the
table of every unit) and turns it into plain values: dataclasses of formatted strings and
numbers, the charts as coordinates. The template ``scorecard_template.html`` (with
``scorecard_charts.svg``) lays them out and escapes every value.

Every block of numbers carries the label of the unit tree it comes from (docs/spec §4.7): the plan
targets, their monthly trends, the key indicators, the unit table's metrics and the units to
improve are on today's units, with the history of the units that ended restated on the units that
took them over (the tree as it was only for a scope unit that has ended, row by row as
score.scorecard says); the 766 index is on the tree as it was (docs/spec §4.5), with the dossiers
it covers beside those of today's tree.

**The plan year** (``plan_year``): the year of the as-of date when a plan has targets for it, else
the latest plan year before it, else the latest plan year. Its targets come first; the other plan
years are folded below.

**Against the previous year** (``compare``; docs/spec §4.3, §4.4). A value over a year to the
as-of date is set beside the same span of the previous year on the same tree, and a change is
shown only where that span can be read exactly from the published rows:

* a whole year (the as-of date is past the year's end): the previous year's ``year`` row, for
  every metric, when the data cover the whole previous year (its 12 month rows);
* a year to date ending in month m: for the metrics of the dossiers *received* in the period
  (``RECEIVED_BASED``: received(P) splits by received date, so the months add up), the sums of
  the numerators and denominators of the previous year's months 1 … m; for
  ``internal_units_reduction`` (units on 1 January against units at the period's end) the
  previous year's month-m row, which spans 1 January to the end of month m. The compared span
  is named (``cùng kỳ 01/01–30/09/2024``): when the as-of date falls inside month m, the
  previous year's span runs to the end of that month;
* the other metrics (handled and resolved dossiers, processing times: a dossier open across
  months counts in each, medians do not add up) are not summed: the previous *whole* year is
  shown for reference, labelled as such, with no change;
* the catalogue metrics (``CATALOGUE_METRICS``) have no history: no comparison. National ranks
  are compared with nothing.

**Trends.** A target gets a monthly chart, except the catalogue metrics and
``internal_units_reduction`` (``NO_TREND``: a value at the period's end, flat or a step by
construction) and the rank targets: those show their value.

Ranking of units on the weakest KPIs (a rule of this page; the contract is silent), in the pure
functions ``weakest`` and ``worst_units``:

* the KPIs considered are the plan targets of the plan year, each measured on its own scope unit
  over the year of the as-of date;
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
from dataclasses import dataclass, field
from typing import Any

import duckdb

from reform_pipeline.publish import unit_table as unit_table_module
from reform_pipeline.publish.report_data import (
    AboutData,
    Catalogue,
    TargetRow,
    about_data,
    province,
    province_index,
    rankings,
    read_catalogue,
    received_on_both_trees,
    records,
    scorecard_rows,
    units_summary,
    year_span,
)
from reform_pipeline.publish.report_format import (
    AS_OF_SOURCE_LABELS,
    AS_WAS,
    COUNT,
    CURRENT,
    FILE_STATUS_LABELS,
    INPUT_KIND_LABELS,
    KIND_LABELS,
    RANK,
    RATE,
    REASON_LABELS,
    STATUS_LABELS,
    TREE_LABELS,
    WORKING_DAYS,
    axis_label,
    bilingual,
    format_built_at,
    format_change,
    format_measured,
    format_points,
    format_rank,
    format_target,
    format_value,
    fraction,
    higher_is_better,
    holds,
    label_of,
    tree_label,
    units_line,
)

WEAK_KPI_COUNT = 3
RANKED_UNITS = 10
MIN_DENOMINATOR = 30

# How a metric's previous year may be read over the same span (module docstring; docs/spec §4.4).
RECEIVED_BASED = frozenset(
    {"dossiers_received", "online_rate", "full_online_rate", "online_payment_rate", "digitized_intake_rate"}
)
CATALOGUE_METRICS = frozenset({"full_online_procedure_rate", "declared_info_reduction"})
UNITS_AT_PERIOD_END = frozenset({"internal_units_reduction"})
NO_TREND = CATALOGUE_METRICS | UNITS_AT_PERIOD_END

# The downloads written next to the page, linked from it: (file name, Vietnamese, English).
DOWNLOADS = (
    ("scorecard.csv", "Bảng chỉ tiêu (CSV)", "scorecard (CSV)"),
    ("units.csv", "Bảng đơn vị (CSV)", "units (CSV)"),
    ("scorecard.xlsx", "Sổ tính Excel", "Excel workbook"),
)

# ---------------------------------------------------------------------------------------------
# The plan year and the ranking rule (pure: plain rows in, plain rows out)


def plan_year(years: Sequence[int], as_of_year: int) -> int | None:
    """The plan year the page leads with: ``as_of_year`` when a plan has targets for it, else the
    latest plan year before it, else the latest plan year; None without targets."""
    years = sorted(set(years))
    if not years:
        return None
    if as_of_year in years:
        return as_of_year
    return max([y for y in years if y <= as_of_year] or years)


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
    the plan year count (``plan_year``); a KPI targeted twice counts once (its first target);
    KPIs without a value are left out."""
    chosen = plan_year([k.year for k in kpis], year)
    if chosen is None:
        return []
    seen: set[tuple[str, str]] = set()
    candidates: list[WeakKpi] = []
    for k in kpis:
        key = (k.scope_code, k.kpi_code)
        if k.year != chosen or key in seen:
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
    """The plan KPIs of the plan year furthest from target, measured on their scope over ``year``."""
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
# Against the previous year


@dataclass(frozen=True)
class Comparison:
    """A value beside the previous year (module docstring). ``method``: 'year' (whole year
    against whole year), 'span' (the same span of the previous year), 'reference' (the previous
    whole year shown for reference: no change), 'none'. ``change`` is set only for 'year' and
    'span'; ``better`` says whether it goes the target's way (None: no direction)."""

    method: str
    label: tuple[str, str] | None = None  # what the previous value covers
    previous: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    change: float | None = None
    shown_previous: str = "—"
    shown_change: str = "—"
    better: bool | None = None
    note: tuple[str, str] | None = None  # why there is no change


def _day(date: dt.date) -> str:
    return f"{date:%d/%m}"


def _no_comparison(note: tuple[str, str]) -> Comparison:
    return Comparison("none", note=note)


def compare(
    metric: str,
    kind: str,
    value: float | None,
    year: int,
    current_end: dt.date | None,
    previous_rows: dict[str, dict[str, Any]],
    comparator: str | None = None,
) -> Comparison:
    """The value of ``metric`` over ``year`` up to ``current_end`` beside the previous year, from
    the rows of that previous year (``year_span`` over months 1 … the month of ``current_end``)."""
    previous_year = year - 1
    if kind == RANK:
        return Comparison("none")
    if metric in CATALOGUE_METRICS:
        return _no_comparison(("danh mục không lưu lịch sử", "the catalogue keeps no history"))
    row = previous_rows.get(metric)
    no_data = _no_comparison((f"không đủ số liệu năm {previous_year}", f"no full data for {previous_year}"))
    if row is None or current_end is None:
        return no_data
    whole_year = current_end == dt.date(year, 12, 31)
    last_month = current_end.month
    if whole_year:
        if row["months"] < 12:
            return no_data
        method, label = "year", (f"năm {previous_year}", f"in {previous_year}")
        previous, numerator, denominator = row["year_value"], row["year_numerator"], row["year_denominator"]
    elif metric in RECEIVED_BASED or metric in UNITS_AT_PERIOD_END:
        if row["span_months"] < last_month or row["span_end"] is None:
            return no_data
        end = row["span_end"]
        label = (f"cùng kỳ 01/01–{_day(end)}/{previous_year}", f"same period, 1 Jan–{end:%d %b} {previous_year}")
        method = "span"
        if metric in UNITS_AT_PERIOD_END:
            previous = row["end_month_value"]
            numerator, denominator = row["end_month_numerator"], row["end_month_denominator"]
        else:
            numerator, denominator = row["span_numerator"], row["span_denominator"]
            if kind == COUNT:
                previous = numerator
            else:
                previous = None if not denominator else numerator / denominator
    else:
        if row["months"] < 12:
            return no_data
        return Comparison(
            "reference",
            label=(f"cả năm {previous_year}, để tham khảo", f"whole year {previous_year}, for reference"),
            previous=None if row["year_value"] is None else float(row["year_value"]),
            numerator=row["year_numerator"],
            denominator=row["year_denominator"],
            shown_previous=format_value(kind, row["year_value"]),
        )
    change = None if value is None or previous is None else float(value) - float(previous)
    better = None
    if change is not None and comparator is not None and change != 0:
        better = (change > 0) == higher_is_better(comparator)
    return Comparison(
        method,
        label=label,
        previous=None if previous is None else float(previous),
        numerator=numerator,
        denominator=denominator,
        change=change,
        shown_previous=format_value(kind, previous),
        shown_change=format_change(kind, change),
        better=better,
    )


def span_end(year: int, as_of: dt.date) -> dt.date | None:
    """The last day a year's value covers at the as-of date; None for a year after it."""
    if year > as_of.year:
        return None
    return min(as_of, dt.date(year, 12, 31))


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


def raw(value: Any) -> str:
    """A number as a data attribute of the page, exact (a float's shortest round-trip form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return str(value)


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
    """A monthly bar chart of one KPI over one year, with the target as a dashed line and its
    label in a band above the plot, where no bar reaches."""

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
    legend_y: int  # the baseline of the target's label, above the plot
    empty_at: tuple[float, float] | None  # where "no monthly data" goes, when there is none


@dataclass(frozen=True)
class GroupBar:
    vi: str
    en: str
    percent: float  # the filled share of the bar, 0–100
    shown: str


@dataclass(frozen=True)
class LatestRank:
    """The latest published rank of an index, beside a rank target without one of its year."""

    year: int
    shown: str
    source: str | None


@dataclass(frozen=True)
class TargetView:
    plan_id: str
    plan_source: str | None  # the plan's document (staging.targets.source)
    scope: str
    scope_code: str
    year: int
    kpi: tuple[str, str]
    kpi_code: str  # for the data attributes only: the page shows the catalogue's label
    kind: str
    comparator: str
    target: str
    target_raw: str
    value: str
    value_raw: str
    numerator_raw: str
    denominator_raw: str
    fraction: str
    status: Status
    chart: TrendChart | None  # None: a value at the period's end, or a rank (no trend)
    tree: Tree | None  # the tree the value and the chart come from; None for a rank
    source: str | None  # the publisher of a rank (score.scorecard.value_source)
    latest_rank: LatestRank | None  # a rank target without a rank of its year
    comparison: Comparison


@dataclass(frozen=True)
class PlanSection:
    year: int
    when: str  # 'current', 'past' or 'later'
    targets: list[TargetView]


@dataclass(frozen=True)
class KpiView:
    label: tuple[str, str]
    code: str  # data attributes only
    kind: str
    value: str
    value_raw: str
    numerator_raw: str
    denominator_raw: str
    fraction: str
    comparison: Comparison


@dataclass(frozen=True)
class KeyKpis:
    scope: str
    scope_code: str
    year: int
    start: str
    end: str
    rows: list[KpiView]
    tree: Tree


@dataclass(frozen=True)
class RankingView:
    index: tuple[str, str]
    index_code: str
    year: int
    score: str
    rank: str
    rank_raw: str
    provinces_raw: str
    basis: int | None
    source: str


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
    groups: list[GroupBar]
    rows: list[IndicatorView]
    month: tuple[str, str, str, str] | None  # (MM/YYYY, score, points, covered maximum) of the latest month
    tree: Tree  # the tree as it was (docs/spec §4.5)
    received_label: tuple[str, str]  # the catalogue's label of the dossiers received
    received: tuple[str, str] | None  # over the index's year: (tree as it was, today's tree)
    trees_differ: bool
    full_max: int  # the sum of every indicator's maximum P


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
class TableColumn:
    key: str  # the unit table's column key (publish/unit_table.py)
    vi: str
    en: str
    kind: str
    numeric: bool
    note: tuple[str, str] | None


@dataclass(frozen=True)
class TableCell:
    shown: str
    sort: str  # what the column sorts by: a number, or the text
    metric: str  # the column key: data-metric
    value: str  # the exact value: data-value
    extra: dict[str, str] = field(default_factory=dict)  # more data attributes (data-max …)


@dataclass(frozen=True)
class TableRow:
    code: str
    name: str
    depth: int | None
    search: str  # what the search box matches: name, code, kind, parent
    cells: list[TableCell]


@dataclass(frozen=True)
class UnitTable:
    columns: list[TableColumn]
    rows: list[TableRow]
    start: str | None
    end: str | None
    index_year: int


@dataclass(frozen=True)
class FileView:
    name: str
    kind: tuple[str, str]
    status: tuple[str, str]
    reason: str | None


@dataclass(frozen=True)
class AboutView:
    as_of: str
    as_of_source: tuple[str, str] | None
    built_at: str
    files: int
    files_by_kind: list[tuple[tuple[str, str], int, int]]  # (kind label, files, rows read)
    rows_read: str
    rows_quarantined: str
    quarantined_share: str
    reasons: list[tuple[tuple[str, str], str, str]]  # (label, code, rows)
    troubled: list[FileView]  # skipped, unreadable or duplicate files


@dataclass(frozen=True)
class Page:
    title: str
    as_of: str
    built_at: str
    units: tuple[str, str]  # the "about the units" line
    plan: PlanSection | None
    plan_note: tuple[str, str] | None  # when the plan year is not the year of the as-of date
    other_plans: list[PlanSection]
    kpis: KeyKpis | None
    rankings: list[RankingView]
    index: IndexView | None
    unit_table: UnitTable | None
    year: int
    ranked_units: int
    min_denominator: int
    weak: list[WeakView]
    current_tree: Tree
    about: AboutView
    downloads: tuple[tuple[str, str, str], ...]


def trend_chart(
    label: tuple[str, str],
    kind: str,
    year: int,
    months: Sequence[dict[str, Any]],
    comparator: str,
    target: float | None,
) -> TrendChart:
    """The monthly chart of one KPI (``label``, a metric of ``kind``) over ``year``."""
    width, height = 348, 170
    left, right, top, bottom = 46, 10, 26, 26
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
        legend_y=14,
        empty_at=None if values else (left + plot_w / 2, top + plot_h / 2),
    )


def group_bars(groups: Sequence[tuple[str, str, float, int]]) -> list[GroupBar]:
    """(group, English name, points earned, covered maximum) → one bar each."""
    bars = []
    for group_vi, group_en, points, covered in groups:
        share = points / covered if covered else 0.0
        shown = f"{points:.2f} / {covered}" if covered else "chưa đo / not covered"
        bars.append(GroupBar(group_vi, group_en, round(100 * share, 2), shown))
    return bars


def _fraction(kind: str, numerator: Any, denominator: Any) -> str:
    """The counts under a value: numerator / denominator; for a processing time, the dossiers
    resolved it is computed over; nothing for a count."""
    if denominator is None:
        return ""
    if kind == WORKING_DAYS:
        return f"{int(denominator):,} hồ sơ / dossiers"
    return fraction(numerator, denominator)


def _latest_ranks(ranking_rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], LatestRank]:
    """(target code, scope) → the latest year with a published rank, else the latest row."""
    latest: dict[tuple[str, str], LatestRank] = {}
    for row in sorted(ranking_rows, key=lambda r: (r["rank"] is not None, r["year"])):
        if row["rank"] is not None:
            shown = format_rank(row["rank"], row["provinces_ranked"])
        else:
            score = "" if row["score"] is None else f"{_score(row['score'])} điểm, "
            shown = f"{score}không công bố thứ hạng"
        latest[(row["target_code"], row["scope_code"])] = LatestRank(row["year"], shown, row["source"])
    return latest


def _score(score: Any) -> str:
    text = f"{float(score):.4f}"
    return text.rstrip("0").rstrip(".")


def _target_view(
    con: duckdb.DuckDBPyConnection,
    row: TargetRow,
    catalogue: Catalogue,
    as_of: dt.date,
    latest: dict[tuple[str, str], LatestRank],
    previous_cache: dict[tuple[str, str, int, int], dict[str, dict[str, Any]]],
) -> TargetView:
    label = catalogue.label(row.kpi_code)
    kind = catalogue.kind(row.kpi_code)
    is_rank = kind == RANK
    chart = None
    if not is_rank and row.kpi_code not in NO_TREND:
        months = records(
            con, "report_monthly_values", scope=row.scope_code, metric=row.kpi_code, year=row.year, tree=row.tree
        )
        chart = trend_chart(label, kind, row.year, months, row.comparator, row.target)
    end = span_end(row.year, as_of)
    comparison = Comparison("none")
    if not is_rank:
        key = (row.scope_code, row.tree or CURRENT, row.year - 1, end.month if end else 12)
        if key not in previous_cache:
            previous_cache[key] = year_span(con, *key)
        comparison = compare(row.kpi_code, kind, row.value, row.year, end, previous_cache[key], row.comparator)
    if is_rank:
        value = format_rank(row.value, row.denominator)
    else:
        value = format_measured(kind, row.value, row.target)
    return TargetView(
        plan_id=row.plan_id,
        plan_source=row.source,
        scope=row.scope_name or row.scope_code,
        scope_code=row.scope_code,
        year=row.year,
        kpi=label,
        kpi_code=row.kpi_code,
        kind=kind,
        comparator=row.comparator,
        target=format_target(kind, row.comparator, row.target),
        target_raw=raw(row.target),
        value=value,
        value_raw=raw(row.value),
        numerator_raw=raw(row.numerator),
        denominator_raw=raw(row.denominator),
        fraction="" if is_rank else _fraction(kind, row.numerator, row.denominator),
        status=status(row.status),
        chart=chart,
        tree=tree_tag(row.tree),
        source=row.value_source,
        latest_rank=latest.get((row.kpi_code, row.scope_code)) if is_rank and row.value is None else None,
        comparison=comparison,
    )


def _plan_sections(
    con: duckdb.DuckDBPyConnection, catalogue: Catalogue, as_of: dt.date, ranking_rows: list[dict[str, Any]]
) -> tuple[PlanSection | None, list[PlanSection]]:
    """The plan year's targets, and every other plan year's, latest first."""
    rows = scorecard_rows(con)
    chosen = plan_year([r.year for r in rows], as_of.year)
    latest = _latest_ranks(ranking_rows)
    cache: dict[tuple[str, str, int, int], dict[str, dict[str, Any]]] = {}
    sections: dict[int, list[TargetView]] = {}
    for row in rows:
        sections.setdefault(row.year, []).append(_target_view(con, row, catalogue, as_of, latest, cache))
    current = None
    others = []
    for year in sorted(sections, reverse=True):
        if year == chosen:
            current = PlanSection(year, "current", sections[year])
        else:
            others.append(PlanSection(year, "past" if year < as_of.year else "later", sections[year]))
    return current, others


def _key_kpis(
    con: duckdb.DuckDBPyConnection, root: tuple[str, str] | None, catalogue: Catalogue, as_of: dt.date
) -> KeyKpis | None:
    """Every metric of the catalogue for the province on today's tree, over the year of the
    as-of date, beside the same span of the previous year."""
    if root is None:
        return None
    current = year_span(con, root[0], CURRENT, as_of.year, as_of.month)
    if not current:
        return None
    previous = year_span(con, root[0], CURRENT, as_of.year - 1, as_of.month)
    rows = []
    for code, label in catalogue.metrics.items():
        kind = catalogue.kind(code)
        row = current.get(code)
        if kind == RANK or row is None:
            continue
        value, numerator, denominator = row["year_value"], row["year_numerator"], row["year_denominator"]
        rows.append(
            KpiView(
                label=label,
                code=code,
                kind=kind,
                value=format_value(kind, value),
                value_raw=raw(value),
                numerator_raw=raw(numerator),
                denominator_raw=raw(denominator),
                fraction=_fraction(kind, numerator, denominator),
                comparison=compare(code, kind, value, as_of.year, as_of, previous),
            )
        )
    return KeyKpis(
        scope=root[1],
        scope_code=root[0],
        year=as_of.year,
        start=dt.date(as_of.year, 1, 1).isoformat(),
        end=as_of.isoformat(),
        rows=rows,
        tree=tree_tag(CURRENT),
    )


def _ranking_views(ranking_rows: Sequence[dict[str, Any]]) -> list[RankingView]:
    return [
        RankingView(
            index=(r["label_vi"], r["label_en"]),
            index_code=r["index_code"],
            year=r["year"],
            score="—" if r["score"] is None else _score(r["score"]),
            rank=format_rank(r["rank"], r["provinces_ranked"]) if r["rank"] is not None
            else "không công bố / not published",
            rank_raw=raw(r["rank"]),
            provinces_raw=raw(r["provinces_ranked"]),
            basis=r["basis"],
            source=r["source"],
        )
        for r in ranking_rows
    ]


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
        latest_month = (
            f"{month.period_start:%m/%Y}",
            f"{float(month.total['score_100']):.2f}",
            format_points(month.total["points"]),
            str(month.total["max_points"]),
        )
    return IndexView(
        unit_name=root[1],
        year=summary.period_start.year,
        start=summary.period_start.isoformat(),
        end=summary.period_end.isoformat(),
        score="—" if total["score_100"] is None else f"{float(total['score_100']):.2f}",
        points=format_points(total["points"]),
        max_points=str(total["max_points"]),
        groups=group_bars(groups),
        rows=rows,
        month=latest_month,
        tree=tree_tag(AS_WAS),
        received_label=received.label,
        received=None if received.as_was is None and received.current is None
        else (format_value(COUNT, received.as_was), format_value(COUNT, received.current)),
        trees_differ=received.as_was != received.current,
        full_max=sum(int(r["max_points"]) for r in summary.rows),
    )


# The unit table's columns said once above the table, or inside another cell (publish/unit_table.py).
_PERIOD_KEYS = ("period_start", "period_end")
_HIDDEN_KEYS = ("agency_code", "depth", *_PERIOD_KEYS)
_POINTS_KEY, _MAX_KEY = "index_766_points", "index_766_max_points"


def _cell(column: Any, value: Any) -> TableCell:
    kind = column.kind
    if value is None:
        return TableCell("—", "", column.key, "")
    if kind in (COUNT, RATE, WORKING_DAYS):
        return TableCell(format_value(kind, value), raw(value), column.key, raw(value))
    if kind == "points":
        return TableCell(f"{float(value):.2f}", raw(value), column.key, raw(value))
    if isinstance(value, dt.date):
        return TableCell(value.isoformat(), value.isoformat(), column.key, value.isoformat())
    return TableCell(str(value), str(value), column.key, str(value))


def _unit_table(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> UnitTable | None:
    """Every unit of today's tree with its key metrics and its 766 score
    (publish/unit_table.py); the covered maximum is shown with the points, beside the score."""
    rows = unit_table_module.unit_table(con, as_of)
    columns = unit_table_module.unit_table_columns(con)
    keys = {c.key for c in columns}
    merged = _POINTS_KEY in keys and _MAX_KEY in keys
    shown = [c for c in columns if c.key not in _HIDDEN_KEYS and not (merged and c.key == _MAX_KEY)]
    table_columns = []
    for c in shown:
        vi, en = c.label_vi, c.label_en
        if merged and c.key == _POINTS_KEY:
            vi, en = "Điểm 766 đạt / tối đa được đo", "766 points / covered maximum"
        note = (c.note_vi, c.note_en) if getattr(c, "note_vi", "") else None
        table_columns.append(TableColumn(c.key, vi, en, c.kind, c.kind not in ("text", "date"), note))
    views = []
    for row in rows:
        cells = []
        for c in shown:
            value = row.get(c.key)
            if c.key == "agency_name":
                cell = TableCell(str(value or row.get("agency_code") or ""), str(value or ""), c.key, str(value or ""),
                                 {"code": str(row.get("agency_code") or "")})
            elif merged and c.key == _POINTS_KEY:
                maximum = row.get(_MAX_KEY)
                if value is None:
                    cell = TableCell("—", "", c.key, "")
                else:
                    cell = TableCell(f"{float(value):.2f} / {format_points(maximum).removesuffix('.00')}",
                                     raw(value), c.key, raw(value), {"max": raw(maximum)})
            else:
                cell = _cell(c, value)
            cells.append(cell)
        search = " ".join(
            str(row.get(k) or "") for k in ("agency_name", "agency_code", "kind_label", "parent_name")
        )
        views.append(TableRow(str(row.get("agency_code") or ""), str(row.get("agency_name") or ""),
                              row.get("depth"), search, cells))
    first = rows[0] if rows else {}
    start, end = first.get("period_start"), first.get("period_end")
    return UnitTable(
        columns=table_columns,
        rows=views,
        start=start.isoformat() if isinstance(start, dt.date) else None,
        end=end.isoformat() if isinstance(end, dt.date) else None,
        index_year=as_of.year,
    )


def _weak_views(
    con: duckdb.DuckDBPyConnection, year: int, min_denominator: int, catalogue: Catalogue
) -> list[WeakView]:
    views = []
    for kpi in weakest_kpis(con, year):
        kind = catalogue.kind(kpi.kpi_code)
        if kind == RANK:  # a national rank has no units below it
            continue
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


def _about(data: AboutData, as_of: dt.date, built_at: dt.datetime) -> AboutView:
    files = data.files
    by_kind: dict[str, list[int]] = {}
    for f in files:
        counts = by_kind.setdefault(f["kind"], [0, 0])
        counts[0] += 1
        counts[1] += int(f["rows_read"] or 0)
    rows_read = sum(int(f["rows_read"] or 0) for f in files)
    quarantined = sum(int(r["rows"]) for r in data.reasons)
    troubled = [
        FileView(
            name=f["file_name"],
            kind=label_of(INPUT_KIND_LABELS, f["kind"]),
            status=(("Không đọc được, giữ bản đọc được trước đó", "unreadable, previous version kept")
                    if f["previous_version_kept"] else label_of(FILE_STATUS_LABELS, f["status"])),
            reason=f["reason"],
        )
        for f in files
        if f["status"] != "ingested"
    ]
    return AboutView(
        as_of=(data.as_of or as_of).isoformat(),
        as_of_source=None if data.as_of_source is None else label_of(AS_OF_SOURCE_LABELS, data.as_of_source),
        built_at=format_built_at(built_at),
        files=len(files),
        files_by_kind=[
            (label_of(INPUT_KIND_LABELS, kind), counts[0], counts[1])
            for kind, counts in by_kind.items()
        ],
        rows_read=format_value(COUNT, rows_read),
        rows_quarantined=format_value(COUNT, quarantined),
        quarantined_share="—" if not rows_read else format_value(RATE, quarantined / rows_read, decimals=2),
        reasons=[
            (label_of(REASON_LABELS, r["reason"]), r["reason"], format_value(COUNT, r["rows"]))
            for r in data.reasons
        ],
        troubled=troubled,
    )


def page_model(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    *,
    min_denominator: int = MIN_DENOMINATOR,
    built_at: dt.datetime | None = None,
) -> Page:
    """Everything the scorecard page shows, read from the warehouse; ``built_at``: the build
    time shown (now when not given)."""
    built_at = built_at or dt.datetime.now(dt.timezone.utc)
    catalogue = read_catalogue(con)
    root = province(con)
    province_name = root[1] if root else ""
    units = units_summary(con, as_of)
    ranking_rows = rankings(con)
    plan, other_plans = _plan_sections(con, catalogue, as_of, ranking_rows)
    plan_note = None
    if plan is not None and plan.year != as_of.year:
        plan_note = (
            f"Chưa có chỉ tiêu kế hoạch năm {as_of.year}: trình bày kế hoạch năm {plan.year}.",
            f"No plan targets for {as_of.year} yet: the {plan.year} plan is shown.",
        )
    about = _about(about_data(con), as_of, built_at)
    return Page(
        title=f"Bảng điểm cải cách hành chính — {province_name}".rstrip(" —"),
        as_of=as_of.isoformat(),
        built_at=about.built_at,
        units=units_line(units.alive, units.ended, as_of.isoformat()),
        plan=plan,
        plan_note=plan_note,
        other_plans=other_plans,
        kpis=_key_kpis(con, root, catalogue, as_of),
        rankings=_ranking_views(ranking_rows),
        index=_index_view(con, root, catalogue),
        unit_table=_unit_table(con, as_of),
        year=as_of.year,
        ranked_units=RANKED_UNITS,
        min_denominator=min_denominator,
        weak=_weak_views(con, as_of.year, min_denominator, catalogue),
        current_tree=tree_tag(CURRENT),
        about=about,
        downloads=DOWNLOADS,
    )
