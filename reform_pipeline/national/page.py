"""The national page (docs/spec §5.2, docs/bi.md "The national roll-up"): the 766 ranking of the
provinces, each province's status and the as-of date of its numbers (previous numbers marked),
and a few headline indicators per province, from the national candidate file before it is swapped
in (national/build.py).

One self-contained HTML file, in Vietnamese with English beside it, like the province scorecard
page (publish/scorecard_template.html, whose look it shares): inline CSS, no script, nothing from
the network. The Jinja environment escapes every value (autoescape), including the province names
of the list of sources. Values are formatted by publish/report_format.py, as on the province page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from reform_pipeline.publish.report_format import (
    COUNT,
    RATE,
    format_built_at,
    format_points,
    format_value,
)
from reform_pipeline.publish.report_model import plan_year
from reform_pipeline.warehouse import sql_text

TEMPLATE_DIR = Path(__file__).parent
PAGE_TEMPLATE = "scorecard_template.html"

# The headline indicators of each province's root unit, over the year of its as-of date on
# today's tree (mart.unit_metrics_current), in this order.
HEADLINE_METRICS = ("dossiers_received", "online_rate", "online_payment_rate", "on_time_rate", "satisfaction_rate")

STATUS_LABELS = {
    "current": ("Số liệu mới nhất", "current numbers"),
    "previous": ("Số liệu cũ: lần chạy gần nhất không thành công", "previous numbers: the latest run did not succeed"),
    "previous_national": ("Số liệu cũ: giữ từ bản tổng hợp trước", "previous numbers, kept from the previous national file"),
    "missing": ("Không có số liệu", "missing: no numbers"),
}
UNRANKED_LABELS = {
    "no rows": ("không có số liệu", "no rows"),
    "no root unit": ("không có đơn vị gốc", "no root unit"),
    "no whole month": ("chưa có tháng đủ", "no whole month"),
    "no 766 index for the month": ("không có chỉ số 766 của tháng", "no 766 index for the month"),
    "nothing covered": ("không chỉ tiêu nào được đo", "nothing covered"),
}


@dataclass(frozen=True)
class Status:
    code: str
    vi: str
    en: str
    stale: bool  # previous numbers (or none): marked on the page


@dataclass(frozen=True)
class RankRow:
    rank: str
    code: str
    name: str
    scope: str
    score: str
    score_raw: str
    points: str
    max_points: str
    full_max: str
    status: Status
    as_of: str
    unranked: tuple[str, str] | None


@dataclass(frozen=True)
class ProvinceRow:
    code: str
    name: str
    status: Status
    note: str
    as_of: str
    built_at: str
    last_run: str
    rows: str
    rows_raw: int


@dataclass(frozen=True)
class KpiCell:
    shown: str
    value: str  # the exact value, for data-value
    metric: str


@dataclass(frozen=True)
class KpiRow:
    code: str
    name: str
    status: Status
    period: str
    cells: list[KpiCell]
    targets: str  # met / all targets of the plan year, or —
    targets_year: str


@dataclass(frozen=True)
class Page:
    title: str
    built_at: str
    period: str | None  # the ranking month, MM/YYYY
    period_span: str | None
    counts: list[tuple[Status, int]]
    ranking: list[RankRow]
    provinces: list[ProvinceRow]
    kpi_columns: list[tuple[str, str]]
    kpis: list[KpiRow]


def national_page_html(con: duckdb.DuckDBPyConnection, *, built_at: dt.datetime) -> str:
    """The national page, from the national file attached as ``national`` (its mart tables and the
    temporary ``national_roots`` of the ranking)."""
    return _environment().get_template(PAGE_TEMPLATE).render(page=page_model(con, built_at=built_at))


def page_model(con: duckdb.DuckDBPyConnection, *, built_at: dt.datetime) -> Page:
    provinces = _rows(con, "SELECT * FROM national.mart.provinces ORDER BY province_code")
    statuses = {p["province_code"]: _status(p["status"]) for p in provinces}
    ranking = _rows(con, "SELECT * FROM national.mart.national_766_ranking ORDER BY rank NULLS LAST, province_code")
    period_start = next((r["period_start"] for r in ranking if r["period_start"] is not None), None)
    period_end = next((r["period_end"] for r in ranking if r["period_end"] is not None), None)
    labels = _metric_labels(con)
    return Page(
        title="Bảng điểm CCHC toàn quốc",
        built_at=format_built_at(built_at),
        period=None if period_start is None else f"{period_start:%m/%Y}",
        period_span=None if period_start is None else f"{period_start.isoformat()} → {period_end.isoformat()}",
        counts=[(_status(code), sum(1 for p in provinces if p["status"] == code)) for code in STATUS_LABELS],
        ranking=[_rank_row(r, statuses) for r in ranking],
        provinces=[_province_row(p) for p in provinces],
        kpi_columns=[labels.get(code, (code, code, RATE))[:2] for code in HEADLINE_METRICS],
        kpis=_kpi_rows(con, provinces, statuses, labels),
    )


def _status(code: str) -> Status:
    vi, en = STATUS_LABELS.get(code, (code, code))
    return Status(code, vi, en, code != "current")


def _rank_row(r: dict[str, Any], statuses: dict[str, Status]) -> RankRow:
    reason = r["unranked_reason"]
    return RankRow(
        rank="—" if r["rank"] is None else str(r["rank"]),
        code=r["province_code"],
        name=r["province_name"],
        scope=r["scope_name"] or "",
        score="—" if r["score_100"] is None else f"{float(r['score_100']):.2f}",
        score_raw="" if r["score_100"] is None else str(r["score_100"]),
        points=format_points(r["points"]),
        max_points="—" if r["max_points"] is None else str(r["max_points"]),
        full_max="—" if r["full_max_points"] is None else str(r["full_max_points"]),
        status=statuses.get(r["province_code"], _status(r["status"])),
        as_of="—" if r["as_of"] is None else r["as_of"].isoformat(),
        unranked=None if reason is None else UNRANKED_LABELS.get(reason, (reason, reason)),
    )


def _province_row(p: dict[str, Any]) -> ProvinceRow:
    run = p["last_run_status"] or "—"
    if p["last_run_id"]:
        run = f"{run} ({p['last_run_id']})"
    return ProvinceRow(
        code=p["province_code"],
        name=p["province_name"],
        status=_status(p["status"]),
        note=p["note"] or "",
        as_of="—" if p["as_of"] is None else p["as_of"].isoformat(),
        built_at="—" if p["built_at"] is None else format_built_at(p["built_at"]),
        last_run=run,
        rows=f"{int(p['rows_taken']):,}",
        rows_raw=int(p["rows_taken"]),
    )


def _kpi_rows(
    con: duckdb.DuckDBPyConnection,
    provinces: list[dict[str, Any]],
    statuses: dict[str, Status],
    labels: dict[str, tuple[str, str, str]],
) -> list[KpiRow]:
    values: dict[str, dict[str, dict[str, Any]]] = {}
    if _has_table(con, "unit_metrics_current") and _has_table(con, "units"):
        for r in _query(con, "national/page_kpis", metrics=list(HEADLINE_METRICS)):
            values.setdefault(r["province_code"], {})[r["metric_code"]] = r
    targets: dict[str, dict[int, dict[str, int]]] = {}
    if _has_table(con, "scorecard"):
        for r in _query(con, "national/page_targets"):
            if r["year"] is not None:
                targets.setdefault(r["province_code"], {}).setdefault(int(r["year"]), {})[r["status"]] = int(r["targets"])
    rows = []
    for p in provinces:
        code = p["province_code"]
        mine = values.get(code, {})
        cells = []
        for metric in HEADLINE_METRICS:
            found = mine.get(metric)
            kind = labels.get(metric, (metric, metric, COUNT if metric == "dossiers_received" else RATE))[2]
            value = None if found is None else found["value"]
            cells.append(KpiCell(shown=format_value(kind, value), value="" if value is None else repr(float(value)),
                                 metric=metric))
        period = next(iter(mine.values()), None)
        year = None
        by_year = targets.get(code, {})
        if by_year and p["as_of"] is not None:
            year = plan_year(list(by_year), p["as_of"].year)
        counts = by_year.get(year, {}) if year is not None else {}
        rows.append(KpiRow(
            code=code,
            name=p["province_name"],
            status=statuses[code],
            period="—" if period is None else f"{period['period_start'].isoformat()} → {period['period_end'].isoformat()}",
            cells=cells,
            targets="—" if not counts else f"{counts.get('met', 0)} / {sum(counts.values())}",
            targets_year="" if year is None else str(year),
        ))
    return rows


def _metric_labels(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    if not _has_table(con, "metric_catalogue"):
        return {}
    return {
        r["metric_code"]: (r["label_vi"], r["label_en"], r["kind"])
        for r in _query(con, "national/page_metric_labels", metrics=list(HEADLINE_METRICS))
    }


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'national' AND schema_name = 'mart' "
        "AND table_name = $table", {"table": table},
    ).fetchone()[0])


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    cursor = con.execute(query)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    cursor = con.execute(sql_text(name), params) if params else con.execute(sql_text(name))
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
