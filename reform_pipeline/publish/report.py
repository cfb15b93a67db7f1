"""The readable scorecard: Markdown for the Dagster UI, a terminal table, one offline HTML page.

All three read the warehouse after the score stage: ``score.scorecard``, ``score.index_766``,
``model.unit_metrics``, ``staging.agencies`` and ``staging.unit_closure`` (SPEC §4.4–4.6).
Text is in Vietnamese with English beside it. The labels and kinds of the metric codes, the
labels of the 766 indicators and the names of their groups come from the metric catalogue
(``meta.metric_catalogue``, ``meta.index_766_indicators``; reform_pipeline/catalogue), read once
per page: this module lists no metric code.

The HTML page (``write_scorecard_html``) is one self-contained file: inline CSS from
``scorecard_template.html``, charts drawn here as inline SVG, no script, no font or image from
the network. Every text that comes from data goes through ``html.escape``.

Ranking of units on the weakest KPIs (a rule of this page; the SPEC is silent):

* the current year is the year of the as-of date; the KPIs considered are the plan targets of
  that year (when no plan has targets for it, those of the latest plan year before it, else of
  the latest plan year), each measured on its own scope unit over the current year;
* a KPI's shortfall is how far that value is on the wrong side of the target, relative to the
  target (``(target − value) / |target|`` for ``>``/``>=``, ``(value − target) / |target|`` for
  ``<``/``<=``; the plain difference when the target is 0); the ``WEAK_KPI_COUNT`` KPIs with the
  largest shortfall are the weakest (met targets come last, by their margin); KPIs without a
  value cannot be ranked and are left out;
* for each, the units below the scope unit (its whole subtree, the scope itself excluded) are
  ranked worst first on the same metric over the current year, ``RANKED_UNITS`` of them, leaving
  out units whose denominator is below ``MIN_DENOMINATOR`` (too few dossiers, or procedures for
  the catalogue metrics, to say anything) and metrics without a denominator (counts).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import string
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import duckdb

TEMPLATE_FILE = Path(__file__).with_name("scorecard_template.html")

WEAK_KPI_COUNT = 3
RANKED_UNITS = 10
MIN_DENOMINATOR = 30

# ---------------------------------------------------------------------------------------------
# Labels (Vietnamese / English)

STATUS_LABELS = {
    "met": ("Đạt", "met"),
    "not_met": ("Chưa đạt", "not met"),
    "no_data": ("Không có số liệu", "no data"),
}

KIND_LABELS = {
    "province": ("Cấp tỉnh", "province"),
    "department": ("Sở, ngành", "department"),
    "district": ("Cấp huyện", "district"),
    "commune": ("Cấp xã", "commune"),
    "center": ("Trung tâm", "center"),
}

# The kinds of meta.metric_catalogue (SPEC §4.4): what a metric's value holds, hence how it is
# shown. A code the catalogue does not know is shown as a rate.
COUNT, RATE, WORKING_DAYS = "count", "rate", "working_days"

# ---------------------------------------------------------------------------------------------
# Queries (read-only; values are bound, never formatted in)

_CATALOGUE_METRICS = """
SELECT metric_code, label_vi, label_en, kind
FROM meta.metric_catalogue
ORDER BY display_order
"""

_CATALOGUE_INDICATORS = """
SELECT indicator_code, label_vi, label_en, indicator_group, indicator_group_en
FROM meta.index_766_indicators
ORDER BY display_order
"""

_SCORECARD = """
SELECT plan_id, scope_code, scope_name, year, kpi_code, comparator, target,
       value, numerator, denominator, status, as_of, source
FROM score.scorecard
ORDER BY year DESC, plan_id, scope_code, kpi_code
"""

_ROOT_UNIT = """
SELECT agency_code, agency_name
FROM staging.agencies
WHERE parent_code IS NULL
ORDER BY depth, agency_code
LIMIT 1
"""

_LATEST_INDEX_PERIOD = """
SELECT max(period_start)
FROM score.index_766
WHERE scope_code = ? AND period_type = ?
"""

# in the catalogue's order of the indicators (the decision's table), the total row last
_INDEX_ROWS = """
SELECT i.indicator_code, i.indicator_group, i.rate, i.max_points, i.threshold, i.points, i.score_100, i.period_end
FROM score.index_766 AS i
LEFT JOIN meta.index_766_indicators AS c ON c.indicator_code = i.indicator_code
WHERE i.scope_code = ? AND i.period_type = ? AND i.period_start = ?
ORDER BY c.display_order NULLS LAST, i.indicator_code
"""

_MONTHLY_VALUES = """
SELECT CAST(month(period_start) AS INTEGER) AS month, value, numerator, denominator
FROM model.unit_metrics
WHERE scope_code = ? AND metric_code = ? AND period_type = 'month'
  AND year(period_start) = ?
ORDER BY period_start
"""

_YEAR_VALUE = """
SELECT value, numerator, denominator, scope_name
FROM model.unit_metrics
WHERE scope_code = ? AND metric_code = ? AND period_type = 'year' AND year(period_start) = ?
"""

_TARGETS = """
SELECT plan_id, scope_code, year, kpi_code, comparator, target
FROM staging.targets
ORDER BY year, plan_id, scope_code, kpi_code
"""

# Units below the scope unit, worst first on the metric (direction bound as a flag).
_RANKED_UNITS = """
SELECT m.scope_code, m.scope_name, a.kind, m.value, m.numerator, m.denominator
FROM model.unit_metrics AS m
JOIN staging.unit_closure AS c
  ON c.descendant_code = m.scope_code AND c.ancestor_code = $scope AND c.distance >= 1
LEFT JOIN staging.agencies AS a ON a.agency_code = m.scope_code
WHERE m.period_type = 'year' AND year(m.period_start) = $year AND m.metric_code = $metric
  AND m.value IS NOT NULL AND m.denominator >= $min_denominator
ORDER BY
  CASE WHEN $higher_is_better THEN m.value END ASC,
  CASE WHEN NOT $higher_is_better THEN m.value END DESC,
  m.denominator DESC, m.scope_code
LIMIT $limit
"""


# ---------------------------------------------------------------------------------------------
# The metric catalogue, as the page shows it


@dataclass(frozen=True)
class Catalogue:
    """Labels and kinds of the metric codes, labels of the 766 indicators, and the indicator
    groups (Vietnamese → English), each in the catalogue's order."""

    metrics: dict[str, tuple[str, str]]
    kinds: dict[str, str]
    indicators: dict[str, tuple[str, str]]
    groups: dict[str, str]

    def label(self, code: str) -> tuple[str, str]:
        """(Vietnamese, English) label of a metric code; the code itself when not catalogued."""
        return self.metrics.get(code, (code, code))

    def kind(self, code: str) -> str:
        return self.kinds.get(code, RATE)

    def indicator_label(self, code: str) -> tuple[str, str]:
        return self.indicators.get(code, (code, code))


def read_catalogue(con: duckdb.DuckDBPyConnection) -> Catalogue:
    """The metric catalogue of the warehouse (meta.metric_catalogue, meta.index_766_indicators)."""
    metrics = con.execute(_CATALOGUE_METRICS).fetchall()
    indicators = con.execute(_CATALOGUE_INDICATORS).fetchall()
    groups: dict[str, str] = {}
    for *_, group, group_en in indicators:
        groups.setdefault(group, group_en)
    return Catalogue(
        metrics={code: (vi, en) for code, vi, en, _ in metrics},
        kinds={code: kind for code, _, _, kind in metrics},
        indicators={code: (vi, en) for code, vi, en, _, _ in indicators},
        groups=groups,
    )


# ---------------------------------------------------------------------------------------------
# Formatting


def _bilingual(pair: tuple[str, str]) -> str:
    return f"{pair[0]} / {pair[1]}"


def status_label(status: str) -> str:
    return _bilingual(STATUS_LABELS.get(status, (status, status)))


def _trim(number: float, decimals: int) -> str:
    text = f"{number:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(kind: str, value: Any, decimals: int = 1) -> str:
    """A measured value of a metric of ``kind`` (meta.metric_catalogue) for humans: 87.3 % for
    rates, 1,234 for counts, 4.5 ngày for working days."""
    if value is None:
        return "—"
    number = float(value)
    if kind == COUNT:
        return f"{number:,.0f}"
    if kind == WORKING_DAYS:
        return f"{number:.1f} ngày"
    return f"{number * 100:.{decimals}f} %"


def format_target(kind: str, comparator: str, target: Any) -> str:
    """A target as the plan states it: > 90 %, >= 30 %, <= 5 ngày."""
    if target is None:
        return "—"
    number = float(target)
    if kind == COUNT:
        shown = f"{number:,.0f}"
    elif kind == WORKING_DAYS:
        shown = f"{_trim(number, 2)} ngày"
    else:
        shown = f"{_trim(number * 100, 2)} %"
    return f"{comparator} {shown}"


def format_measured(kind: str, value: Any, target: Any) -> str:
    """Like format_value, with one more decimal where one decimal would look equal to the target."""
    shown = format_value(kind, value)
    if value is None or target is None or kind == COUNT:
        return shown
    if float(value) != float(target) and shown == format_value(kind, target):
        return format_value(kind, value, decimals=2)
    return shown


def format_points(points: Any) -> str:
    return "—" if points is None else f"{float(points):.2f}"


def _fraction(numerator: Any, denominator: Any) -> str:
    if numerator is None and denominator is None:
        return "—"
    left = "—" if numerator is None else f"{int(numerator):,}"
    right = "—" if denominator is None else f"{int(denominator):,}"
    return f"{left} / {right}"


def _holds(value: float, comparator: str, target: float) -> bool:
    return {
        ">": value > target,
        ">=": value >= target,
        "<": value < target,
        "<=": value <= target,
    }.get(comparator, False)


def _higher_is_better(comparator: str) -> bool:
    return comparator in (">", ">=")


# ---------------------------------------------------------------------------------------------
# Reading the warehouse


@dataclass(frozen=True)
class TargetRow:
    plan_id: str
    scope_code: str
    scope_name: str | None
    year: int
    kpi_code: str
    comparator: str
    target: float
    value: float | None
    numerator: int | None
    denominator: int | None
    status: str
    as_of: dt.date | None
    source: str | None


@dataclass(frozen=True)
class IndexSummary:
    period_type: str
    period_start: dt.date
    period_end: dt.date
    rows: list[dict[str, Any]]  # indicator rows in table order
    total: dict[str, Any]


def _records(con: duckdb.DuckDBPyConnection, query: str, params: Any = None) -> list[dict[str, Any]]:
    cursor = con.execute(query, params) if params is not None else con.execute(query)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def scorecard_rows(con: duckdb.DuckDBPyConnection) -> list[TargetRow]:
    return [TargetRow(**record) for record in _records(con, _SCORECARD)]


def province(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    row = con.execute(_ROOT_UNIT).fetchone()
    return None if row is None else (row[0], row[1])


def province_index(
    con: duckdb.DuckDBPyConnection, scope_code: str, period_type: str
) -> IndexSummary | None:
    """The 766 index rows of a unit for its latest period of a type, or None if there are none."""
    start = con.execute(_LATEST_INDEX_PERIOD, [scope_code, period_type]).fetchone()[0]
    if start is None:
        return None
    records = _records(con, _INDEX_ROWS, [scope_code, period_type, start])
    rows = [r for r in records if r["indicator_code"] != "total"]
    total = next((r for r in records if r["indicator_code"] == "total"), None)
    if total is None:
        return None
    return IndexSummary(period_type, start, total["period_end"], rows, total)


def _index_sentence(summary: IndexSummary | None, label: str) -> str:
    if summary is None:
        return f"{label}: —"
    total = summary.total
    score = "—" if total["score_100"] is None else f"{float(total['score_100']):.2f} / 100"
    return (
        f"{label}: {score} ({format_points(total['points'])} / {int(total['max_points'])} "
        f"điểm được đo / covered points)"
    )


def _period_label(summary: IndexSummary) -> str:
    if summary.period_type == "month":
        return f"tháng / month {summary.period_start:%m/%Y}"
    return f"năm / year {summary.period_start.year}"


def _province_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    root = province(con)
    if root is None:
        return ["Chỉ số 766 / 766 index: —"]
    code, name = root
    lines = [f"Chỉ số 766 của {name} / 766 index of {name} ({code})"]
    for period_type in ("year", "month"):
        summary = province_index(con, code, period_type)
        label = "—" if summary is None else _period_label(summary)
        lines.append(_index_sentence(summary, label))
    return lines


def _as_of(rows: Sequence[TargetRow]) -> dt.date | None:
    dates = [row.as_of for row in rows if row.as_of is not None]
    return max(dates) if dates else None


# ---------------------------------------------------------------------------------------------
# Markdown (Dagster UI metadata) and terminal text

MARKDOWN_HEADERS = (
    "Kế hoạch / Plan",
    "Phạm vi / Scope",
    "Năm / Year",
    "Chỉ tiêu / KPI",
    "Mục tiêu / Target",
    "Thực hiện / Value",
    "Đánh giá / Status",
)


def _md_cell(text: Any) -> str:
    """A table cell: markup from data is escaped (Markdown decodes the entities back to text)."""
    escaped = html.escape(str(text), quote=False)
    return escaped.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _row_cells(row: TargetRow, *, kpi: str, kind: str) -> list[str]:
    return [
        row.plan_id,
        row.scope_name or row.scope_code,
        str(row.year),
        kpi,
        format_target(kind, row.comparator, row.target),
        format_measured(kind, row.value, row.target),
        status_label(row.status),
    ]


def scorecard_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """The plan targets as a Markdown table, then the province's 766 score (latest year, month)."""
    rows = scorecard_rows(con)
    catalogue = read_catalogue(con)
    lines = [
        "| " + " | ".join(MARKDOWN_HEADERS) + " |",
        "|" + "|".join("---" for _ in MARKDOWN_HEADERS) + "|",
    ]
    for row in rows:
        cells = _row_cells(
            row, kpi=f"{_bilingual(catalogue.label(row.kpi_code))} (`{row.kpi_code}`)", kind=catalogue.kind(row.kpi_code)
        )
        lines.append("| " + " | ".join(_md_cell(cell) for cell in cells) + " |")
    if not rows:
        lines.append("| " + " | ".join(["—"] * len(MARKDOWN_HEADERS)) + " |")
    as_of = _as_of(rows)
    lines.append("")
    if as_of is not None:
        lines.append(f"Số liệu đến ngày / Data as of: {as_of.isoformat()}")
        lines.append("")
    province_lines = _province_lines(con)
    lines.append(f"**{_md_cell(province_lines[0])}**")
    lines.extend(f"- {_md_cell(line)}" for line in province_lines[1:])
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Display width in a terminal: combining marks take no column (NFC keeps most precomposed)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in unicodedata.normalize("NFC", text))


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _text_table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> list[str]:
    rows = [list(row) for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = "  ".join(_pad(h, widths[i], i in numeric) for i, h in enumerate(headers)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(_pad(c, widths[i], i in numeric) for i, c in enumerate(r)).rstrip() for r in rows]
    return [line, rule, *body]


def scorecard_text(con: duckdb.DuckDBPyConnection) -> str:
    """The same scorecard as a plain aligned table for the terminal (end of ``make run``)."""
    rows = scorecard_rows(con)
    catalogue = read_catalogue(con)
    headers = (
        "Kế hoạch/Plan",
        "Phạm vi/Scope",
        "Năm/Year",
        "Chỉ tiêu/KPI",
        "Mục tiêu/Target",
        "Thực hiện/Value",
        "Tử/Mẫu (num/den)",
        "Đánh giá/Status",
    )
    body = []
    for row in rows:
        cells = _row_cells(row, kpi=row.kpi_code, kind=catalogue.kind(row.kpi_code))
        cells.insert(6, _fraction(row.numerator, row.denominator))
        body.append([c.replace("\n", " ") for c in cells])
    as_of = _as_of(rows)
    title = "Bảng điểm CCHC / Administrative-reform scorecard"
    if as_of is not None:
        title += f" — số liệu đến / as of {as_of.isoformat()}"
    lines = [title, ""]
    lines.extend(_text_table(headers, body, numeric={2, 4, 5, 6}))
    if not rows:
        lines.append("(không có chỉ tiêu / no targets)")
    lines.append("")
    lines.extend(_province_lines(con))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# HTML


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _bi(vi: str, en: str) -> str:
    """Vietnamese, with the English beside it in a muted span."""
    return f"{_e(vi)} <span class=\"en\">/ {_e(en)}</span>"


def _th(vi: str, en: str, numeric: bool = False) -> str:
    css = ' class="num"' if numeric else ""
    return f"<th{css}>{_bi(vi, en)}</th>"


def _status_badge(status: str) -> str:
    vi, en = STATUS_LABELS.get(status, (status, status))
    css = status if status in STATUS_LABELS else "no_data"
    return f'<span class="status status-{css}">{_e(vi)} / {_e(en)}</span>'


def _axis_label(kind: str, value: float) -> str:
    if kind == COUNT:
        return f"{value:,.0f}"
    if kind == WORKING_DAYS:
        return _trim(value, 1)
    return f"{_trim(value * 100, 0)} %"


def trend_svg(
    label: tuple[str, str],
    kind: str,
    year: int,
    months: Sequence[dict[str, Any]],
    comparator: str,
    target: float | None,
) -> str:
    """A small monthly bar chart of one KPI (``label``, a metric of ``kind``) over one year,
    with the target as a dashed line."""
    width, height = 348, 158
    left, right, top, bottom = 46, 10, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(m["value"]) for m in months if m["value"] is not None]
    ceiling = max(values + ([float(target)] if target is not None else []) + [0.0])
    if kind in (COUNT, WORKING_DAYS):
        y_max = ceiling * 1.15 if ceiling > 0 else 1.0
    else:
        y_max = max(1.0, ceiling)  # rates: the whole 0–100 % scale

    def y(v: float) -> float:
        return top + plot_h * (1 - v / y_max)

    slot = plot_w / 12
    title = f"{_bilingual(label)} — {year}"
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
    ]
    for fraction in (0.0, 0.5, 1.0):
        gy = y(y_max * fraction)
        parts.append(f'<line class="axis" x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}"/>')
        parts.append(
            f'<text x="{left - 5}" y="{gy + 4:.1f}" text-anchor="end" font-size="10">'
            f"{_e(_axis_label(kind, y_max * fraction))}</text>"
        )
    for month in range(1, 13):
        cx = left + (month - 0.5) * slot
        parts.append(
            f'<text x="{cx:.1f}" y="{height - 8}" text-anchor="middle" font-size="10">T{month}</text>'
        )
    for m in months:
        if m["value"] is None:
            continue
        value = float(m["value"])
        css = "bar"
        if target is not None:
            css = "bar-met" if _holds(value, comparator, float(target)) else "bar-not_met"
        x0 = left + (m["month"] - 1) * slot + slot * 0.2
        y0 = y(value)
        tip = (
            f"T{m['month']}/{year}: {format_value(kind, value)}"
            f" ({_fraction(m['numerator'], m['denominator'])})"
        )
        parts.append(
            f'<rect class="{css}" x="{x0:.1f}" y="{y0:.1f}" width="{slot * 0.6:.1f}" '
            f'height="{max(0.0, top + plot_h - y0):.1f}"><title>{_e(tip)}</title></rect>'
        )
    if target is not None:
        ty = y(float(target))
        parts.append(f'<line class="target" x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}"/>')
        parts.append(
            f'<text class="target-label" x="{width - right}" y="{ty - 4:.1f}" text-anchor="end" '
            f'font-size="10">mục tiêu / target {_e(format_target(kind, comparator, target))}</text>'
        )
    if not values:
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
            f'font-size="12">Không có số liệu tháng / no monthly data</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _targets_section(con: duckdb.DuckDBPyConnection, rows: Sequence[TargetRow], catalogue: Catalogue) -> str:
    out = [f"<h2>{_bi('Chỉ tiêu kế hoạch', 'Plan targets')}</h2>"]
    if not rows:
        out.append(f"<p>{_bi('Không có chỉ tiêu', 'No targets')}</p>")
        return "".join(out)
    out.append(
        f'<p class="note">{_bi("Giá trị thực hiện là lũy kế từ đầu năm đến ngày số liệu", "Values are year to date, up to the as-of date")}.</p>'
    )
    header = [
        ("Kế hoạch", "Plan"),
        ("Phạm vi", "Scope"),
        ("Năm", "Year"),
        ("Chỉ tiêu", "KPI"),
        ("Mục tiêu", "Target"),
        ("Thực hiện", "Value"),
        ("Tử số/mẫu số", "num/den"),
        ("Đánh giá", "Status"),
    ]
    out.append("<table><thead><tr>")
    out.extend(_th(vi, en, numeric=i in (2, 4, 5, 6)) for i, (vi, en) in enumerate(header))
    out.append("</tr></thead><tbody>")
    for row in rows:
        vi, en = catalogue.label(row.kpi_code)
        kind = catalogue.kind(row.kpi_code)
        out.append(
            "<tr>"
            f"<td>{_e(row.plan_id)}</td>"
            f"<td>{_e(row.scope_name or row.scope_code)}</td>"
            f'<td class="num">{_e(row.year)}</td>'
            f"<td>{_bi(vi, en)}<br><code>{_e(row.kpi_code)}</code></td>"
            f'<td class="num">{_e(format_target(kind, row.comparator, row.target))}</td>'
            f'<td class="num">{_e(format_measured(kind, row.value, row.target))}</td>'
            f'<td class="num">{_e(_fraction(row.numerator, row.denominator))}</td>'
            f"<td>{_status_badge(row.status)}</td>"
            "</tr>"
        )
    out.append("</tbody></table>")

    out.append(f"<h2>{_bi('Diễn biến theo tháng', 'Monthly trend')}</h2>")
    out.append('<div class="cards">')
    for row in rows:
        months = _records(con, _MONTHLY_VALUES, [row.scope_code, row.kpi_code, row.year])
        vi, en = catalogue.label(row.kpi_code)
        kind = catalogue.kind(row.kpi_code)
        out.append(
            '<div class="card">'
            f"<h3>{_bi(vi, en)}</h3>"
            f'<p class="meta">{_e(row.scope_name or row.scope_code)} · {_e(row.year)} · {_e(row.plan_id)}</p>'
            f"<p>{_e(format_measured(kind, row.value, row.target))} "
            f"<span class=\"en\">so với / vs</span> {_e(format_target(kind, row.comparator, row.target))} "
            f"{_status_badge(row.status)}</p>"
            f"{trend_svg((vi, en), kind, row.year, months, row.comparator, row.target)}"
            "</div>"
        )
    out.append("</div>")
    return "".join(out)


def _group_bars_svg(groups: Sequence[tuple[str, str, float, int]]) -> str:
    """Horizontal bars: points earned over the covered maximum, one per 766 group."""
    width, row_h, left, right = 580, 36, 210, 170
    height = row_h * len(groups) + 8
    bar_w = width - left - right
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e("Điểm theo nhóm / Points by group")}">'
    ]
    for i, (group_vi, group_en, points, covered) in enumerate(groups):
        y0 = 4 + i * row_h
        share = points / covered if covered else 0.0
        shown = f"{points:.2f} / {covered}" if covered else "chưa đo / not covered"
        parts.append(
            f'<text x="{left - 8}" y="{y0 + 14}" text-anchor="end" font-size="12">{_e(group_vi)}</text>'
            f'<text x="{left - 8}" y="{y0 + 27}" text-anchor="end" font-size="10">{_e(group_en)}</text>'
            f'<rect x="{left}" y="{y0 + 6}" width="{bar_w}" height="{row_h - 14}" fill="#eef1f4"/>'
            f'<rect class="bar" x="{left}" y="{y0 + 6}" width="{bar_w * share:.1f}" height="{row_h - 14}"/>'
            f'<text x="{left + bar_w + 6}" y="{y0 + 21}" font-size="12">{_e(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _index_section(con: duckdb.DuckDBPyConnection, root: tuple[str, str] | None, catalogue: Catalogue) -> str:
    out = [f"<h2>{_bi('Chỉ số phục vụ người dân, doanh nghiệp (766)', '766 service index')}</h2>"]
    if root is None:
        out.append(f"<p>{_bi('Không có số liệu', 'no data')}</p>")
        return "".join(out)
    summary = province_index(con, root[0], "year")
    if summary is None:
        out.append(f"<p>{_bi('Không có số liệu', 'no data')}</p>")
        return "".join(out)
    total = summary.total
    score = "—" if total["score_100"] is None else f"{float(total['score_100']):.2f}"
    out.append(
        f'<p>{_e(root[1])} · {_bi("năm", "year")} {_e(summary.period_start.year)} '
        f'({_e(summary.period_start.isoformat())} → {_e(summary.period_end.isoformat())})</p>'
        f'<p><span class="big">{_e(score)}</span> / 100 '
        f'<span class="en">— {_e(format_points(total["points"]))} / {_e(total["max_points"])} '
        f"điểm được đo / covered points</span></p>"
    )
    groups = []
    for group, english in catalogue.groups.items():
        members = [r for r in summary.rows if r["indicator_group"] == group and r["points"] is not None]
        groups.append(
            (
                group,
                english,
                sum(float(r["points"]) for r in members),
                sum(int(r["max_points"]) for r in members),
            )
        )
    out.append(_group_bars_svg(groups))
    out.append("<table><thead><tr>")
    for i, (vi, en) in enumerate(
        [("Nhóm", "Group"), ("Chỉ tiêu", "Indicator"), ("Tỷ lệ", "Rate"), ("Ngưỡng", "Threshold"),
         ("Điểm", "Points"), ("Tối đa", "Max")]
    ):
        out.append(_th(vi, en, numeric=i >= 2))
    out.append("</tr></thead><tbody>")
    for r in summary.rows:
        vi, en = catalogue.indicator_label(r["indicator_code"])
        group = r["indicator_group"] or ""
        points = (
            format_points(r["points"]) if r["points"] is not None else "chưa đo / not covered"
        )
        out.append(
            "<tr>"
            f"<td>{_bi(group, catalogue.groups.get(group, group))}</td>"
            f"<td>{_bi(vi, en)}</td>"
            f'<td class="num">{_e(format_value(RATE, r["rate"]))}</td>'
            f'<td class="num">{_e(format_value(RATE, r["threshold"], decimals=0))}</td>'
            f'<td class="num">{_e(points)}</td>'
            f'<td class="num">{_e(r["max_points"])}</td>'
            "</tr>"
        )
    out.append(
        '<tr class="total">'
        f'<td colspan="4">{_bi("Tổng (các chỉ tiêu được đo)", "Total (covered indicators)")}</td>'
        f'<td class="num">{_e(format_points(total["points"]))}</td>'
        f'<td class="num">{_e(total["max_points"])}</td>'
        "</tr></tbody></table>"
    )
    out.append(
        f'<p class="note">{_e("Điểm = P nếu tỷ lệ ≥ ngưỡng, nếu không = tỷ lệ × P / ngưỡng (làm tròn 2 chữ số). Chỉ tiêu không có số liệu không được tính; điểm quy đổi = điểm đạt / điểm tối đa được đo × 100.")} '
        f'<span class="en">{_e("Points = P when the rate reaches the threshold, else rate × P / threshold (2 decimals). Indicators without data are not covered; score = earned / covered maximum × 100 (SPEC §4.5).")}</span></p>'
    )
    month = province_index(con, root[0], "month")
    if month is not None and month.total["score_100"] is not None:
        month_label = f"{month.period_start:%m/%Y}"
        month_score = f"{float(month.total['score_100']):.2f}"
        out.append(
            f'<p>{_bi("Tháng gần nhất", "Latest month")} {_e(month_label)}: '
            f"<strong>{_e(month_score)}</strong> / 100</p>"
        )
    return "".join(out)


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


def weakest_kpis(con: duckdb.DuckDBPyConnection, year: int, limit: int = WEAK_KPI_COUNT) -> list[WeakKpi]:
    """The plan KPIs of ``year`` furthest from target, measured on their scope over ``year``."""
    targets = _records(con, _TARGETS)
    years = sorted({t["year"] for t in targets})
    if not years:
        return []
    plan_year = year if year in years else max([y for y in years if y <= year] or years)
    seen: set[tuple[str, str]] = set()
    candidates: list[WeakKpi] = []
    for t in targets:
        key = (t["scope_code"], t["kpi_code"])
        if t["year"] != plan_year or key in seen:
            continue
        seen.add(key)
        row = con.execute(_YEAR_VALUE, [t["scope_code"], t["kpi_code"], year]).fetchone()
        if row is None or row[0] is None:
            continue
        value, numerator, denominator, scope_name = row
        target = float(t["target"])
        gap = (target - value) if _higher_is_better(t["comparator"]) else (value - target)
        shortfall = gap / abs(target) if target else gap
        candidates.append(
            WeakKpi(t["scope_code"], scope_name or t["scope_code"], t["kpi_code"], t["comparator"],
                    target, float(value), numerator, denominator, shortfall)
        )
    candidates.sort(key=lambda k: (-k.shortfall, k.scope_code, k.kpi_code))
    return candidates[:limit]


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
    """The units below ``scope_code``, worst first on ``kpi_code`` over ``year``."""
    return _records(
        con,
        _RANKED_UNITS,
        {
            "scope": scope_code,
            "year": year,
            "metric": kpi_code,
            "min_denominator": min_denominator,
            "higher_is_better": _higher_is_better(comparator),
            "limit": limit,
        },
    )


def _ranking_section(con: duckdb.DuckDBPyConnection, year: int, min_denominator: int, catalogue: Catalogue) -> str:
    out = [f"<h2>{_bi(f'Đơn vị cần cải thiện — năm {year}', f'Units to improve — {year}')}</h2>"]
    out.append(
        '<p class="note">'
        + _e(
            f"Các chỉ tiêu kế hoạch mà phạm vi của chỉ tiêu còn cách mục tiêu xa nhất (tương đối) trong năm {year}; "
            f"với mỗi chỉ tiêu, {RANKED_UNITS} đơn vị trực thuộc có giá trị kém nhất, bỏ qua đơn vị có mẫu số dưới {min_denominator}."
        )
        + ' <span class="en">'
        + _e(
            f"The plan KPIs whose scope is furthest (relatively) from target in {year}; for each, the "
            f"{RANKED_UNITS} units below it with the weakest value, leaving out units whose denominator "
            f"is below {min_denominator}."
        )
        + "</span></p>"
    )
    weak = weakest_kpis(con, year)
    if not weak:
        out.append(f"<p>{_bi('Không có số liệu', 'no data')}</p>")
        return "".join(out)
    for kpi in weak:
        vi, en = catalogue.label(kpi.kpi_code)
        kind = catalogue.kind(kpi.kpi_code)
        status = "met" if _holds(kpi.value, kpi.comparator, kpi.target) else "not_met"
        out.append(
            f"<h3>{_bi(vi, en)} — {_e(kpi.scope_name)}: "
            f"{_e(format_measured(kind, kpi.value, kpi.target))} "
            f"<span class=\"en\">so với / vs</span> {_e(format_target(kind, kpi.comparator, kpi.target))} "
            f"{_status_badge(status)}</h3>"
        )
        if kind == COUNT:
            out.append(f"<p>{_bi('Chỉ tiêu đếm, không xếp hạng', 'A count: not ranked')}</p>")
            continue
        units = ranked_units(con, kpi.scope_code, kpi.kpi_code, kpi.comparator, year,
                             min_denominator=min_denominator)
        if not units:
            out.append(
                f"<p>{_bi('Không có đơn vị trực thuộc đủ mẫu số', 'No unit below it with a large enough denominator')}</p>"
            )
            continue
        out.append(
            "<table><thead><tr>"
            f'<th class="num">#</th><th>{_bi("Đơn vị", "Unit")}</th><th>{_bi("Loại", "Kind")}</th>'
            f'<th class="num">{_bi("Giá trị", "Value")}</th>'
            f'<th class="num">{_bi("Tử số/mẫu số", "num/den")}</th>'
            "</tr></thead><tbody>"
        )
        for rank, unit in enumerate(units, start=1):
            kind = KIND_LABELS.get(unit["kind"] or "", (unit["kind"] or "", unit["kind"] or ""))
            out.append(
                "<tr>"
                f'<td class="num">{rank}</td>'
                f"<td>{_e(unit['scope_name'])} <span class=\"en\">({_e(unit['scope_code'])})</span></td>"
                f"<td>{_bi(*kind) if kind[0] else ''}</td>"
                f'<td class="num">{_e(format_value(kind, unit["value"]))}</td>'
                f'<td class="num">{_e(_fraction(unit["numerator"], unit["denominator"]))}</td>'
                "</tr>"
            )
        out.append("</tbody></table>")
    return "".join(out)


def scorecard_html(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, *, min_denominator: int = MIN_DENOMINATOR
) -> str:
    """The whole scorecard page as one self-contained HTML string."""
    rows = scorecard_rows(con)
    catalogue = read_catalogue(con)
    root = province(con)
    province_name = root[1] if root else ""
    title = f"Bảng điểm cải cách hành chính — {province_name}".rstrip(" —")
    body = [
        "<header>",
        f"<h1>{_e(title)} <span class=\"en\">/ Administrative-reform scorecard</span></h1>",
        f'<p class="meta">{_bi("Số liệu đến ngày", "Data as of")}: <strong>{_e(as_of.isoformat())}</strong></p>',
        "</header>",
        _targets_section(con, rows, catalogue),
        _index_section(con, root, catalogue),
        _ranking_section(con, as_of.year, min_denominator, catalogue),
        "<footer>",
        _e(
            "Nguồn: hệ thống thông tin giải quyết TTHC; chỉ số theo Quyết định 766/QĐ-TTg (phần đo được từ dữ liệu hồ sơ)."
        ),
        ' <span class="en">',
        _e("Source: the one-stop dossier exports; 766 index per Decision 766/QĐ-TTg (the part the exports cover)."),
        "</span></footer>",
    ]
    template = string.Template(TEMPLATE_FILE.read_text(encoding="utf-8"))
    return template.substitute(title=_e(title), body="\n".join(body))


def write_scorecard_html(
    con: duckdb.DuckDBPyConnection,
    path: str | os.PathLike[str],
    as_of: dt.date,
    *,
    min_denominator: int = MIN_DENOMINATOR,
) -> Path:
    """Write the scorecard page to ``path`` atomically (temporary file, then ``os.replace``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = scorecard_html(con, as_of, min_denominator=min_denominator)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; the page is for everyone
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target
