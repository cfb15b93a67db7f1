"""What the scorecard reports read from the warehouse, after the score stage (docs/spec §4.4–4.7).

Every query is a file ``sql/publish/report_*.sql``, run with its values bound as parameters:
``score.scorecard``, ``score.index_766``, ``model.unit_metrics_current`` (today's units, with the
history of the units that ended restated on them), ``model.unit_metrics`` (the tree as it was),
``model.units``, ``staging.targets``, ``staging.unit_closure``, ``staging.rankings`` (the
national rankings, docs/spec §2.7), and for the "about the data" box ``meta.run_context``,
``meta.input_files`` and ``meta.quarantine`` (file names and counts only, never a row's values). Each number says which of the
two trees it comes from (docs/spec §4.7): the plan targets, their monthly trends and the units to
improve are read on today's tree (the tree as it was only for a scope unit that has ended, as
score.scorecard does); the 766 index follows the tree as it was (docs/spec §4.5). The labels and
kinds of the metric codes, the labels of the 766 indicators and the names of their groups come
from the metric catalogue (``meta.metric_catalogue``, ``meta.index_766_indicators``;
reform_pipeline/catalogue), read once per report: the reports list no metric code but one, the
dossiers received that set the index's two trees side by side (report_index_trees.sql).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from reform_pipeline.publish.report_format import RATE
from reform_pipeline.warehouse import sql_text


def records(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of the query ``sql/publish/<name>.sql``, as dicts, with ``params`` bound."""
    query = sql_text(f"publish/{name}")
    cursor = con.execute(query, params) if params else con.execute(query)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


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
    metrics = records(con, "report_metric_labels")
    indicators = records(con, "report_indicator_labels")
    groups: dict[str, str] = {}
    for r in indicators:
        groups.setdefault(r["indicator_group"], r["indicator_group_en"])
    return Catalogue(
        metrics={r["metric_code"]: (r["label_vi"], r["label_en"]) for r in metrics},
        kinds={r["metric_code"]: r["kind"] for r in metrics},
        indicators={r["indicator_code"]: (r["label_vi"], r["label_en"]) for r in indicators},
        groups=groups,
    )


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
    tree: str | None  # 'current' (today's units, restated) or 'as_was' (docs/spec §4.7)
    value_source: str | None = None  # who published a national ranking's rank (docs/spec §2.7)


@dataclass(frozen=True)
class IndexSummary:
    period_type: str
    period_start: dt.date
    period_end: dt.date
    rows: list[dict[str, Any]]  # indicator rows in table order
    total: dict[str, Any]


def scorecard_rows(con: duckdb.DuckDBPyConnection) -> list[TargetRow]:
    return [TargetRow(**record) for record in records(con, "report_scorecard")]


def province(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(code, name) of the root of today's unit tree, or None when there is none."""
    rows = records(con, "report_province")
    return None if not rows else (rows[0]["agency_code"], rows[0]["agency_name"])


def province_index(
    con: duckdb.DuckDBPyConnection, scope_code: str, period_type: str
) -> IndexSummary | None:
    """The 766 index rows of a unit for its latest period of a type, or None if there are none."""
    found = records(con, "report_index_latest", scope=scope_code, period_type=period_type)
    rows = [r for r in found if r["indicator_code"] != "total"]
    total = next((r for r in found if r["indicator_code"] == "total"), None)
    if total is None:
        return None
    return IndexSummary(period_type, total["period_start"], total["period_end"], rows, total)


@dataclass(frozen=True)
class UnitsSummary:
    """How many units are alive at the as-of date (today's tree) and how many have ended."""

    alive: int
    ended: int


def units_summary(con: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> UnitsSummary:
    row = records(con, "report_units_summary", as_of=as_of)[0]
    return UnitsSummary(int(row["alive"]), int(row["ended"]))


@dataclass(frozen=True)
class ReceivedOnBothTrees:
    """The dossiers received by one unit over one period on each tree, with the metric's label."""

    label: tuple[str, str]
    as_was: int | None
    current: int | None


def received_on_both_trees(
    con: duckdb.DuckDBPyConnection, scope_code: str, summary: IndexSummary
) -> ReceivedOnBothTrees:
    """The dossiers received by ``scope_code`` over the period of an index summary, on the tree as
    it was and on today's tree; None where a tree has no row for the unit and period."""
    row = records(
        con, "report_index_trees",
        scope=scope_code, period_type=summary.period_type, period_start=summary.period_start,
    )[0]
    return ReceivedOnBothTrees(
        (row["label_vi"], row["label_en"]),
        row["received_as_was"],
        row["received_current"],
    )


def as_of_date(rows: Sequence[TargetRow]) -> dt.date | None:
    dates = [row.as_of for row in rows if row.as_of is not None]
    return max(dates) if dates else None


def year_span(
    con: duckdb.DuckDBPyConnection, scope_code: str, tree: str, year: int, last_month: int
) -> dict[str, dict[str, Any]]:
    """Per metric code, one unit's ``year`` row of ``year`` on ``tree`` and the sums over its
    months 1 … ``last_month`` (sql/publish/report_year_span.sql); empty when the year has no row."""
    rows = records(con, "report_year_span", scope=scope_code, tree=tree, year=year, last_month=last_month)
    return {row["metric_code"]: row for row in rows}


def rankings(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every published national ranking (staging.rankings) with its index's labels (docs/spec §2.7)."""
    return records(con, "report_rankings")


@dataclass(frozen=True)
class AboutData:
    """What the "about the data" box says: the run's as-of date and how it was chosen, every input
    file seen (name, kind, status, counts, the reason of a skipped or unreadable one) and the rows
    quarantined per reason."""

    as_of: dt.date | None
    as_of_source: str | None
    files: list[dict[str, Any]]
    reasons: list[dict[str, Any]]


def about_data(con: duckdb.DuckDBPyConnection) -> AboutData:
    context = records(con, "report_run_context")
    return AboutData(
        as_of=context[0]["as_of"] if context else None,
        as_of_source=context[0]["as_of_source"] if context else None,
        files=records(con, "report_input_files"),
        reasons=records(con, "report_quarantine_reasons"),
    )
