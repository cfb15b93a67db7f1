"""Materialization metadata the Dagster UI shows first: row count, column schema, a preview."""

from __future__ import annotations

from typing import Any

import duckdb
from dagster import MetadataValue, TableColumn, TableSchema

from reform_pipeline.warehouse import current_as_of

PREVIEW_ROWS = 5

# What the columns of the model and score tables hold, shown beside the column schema in the
# Dagster UI; docs/spec §5 is the contract. The metric codes themselves are described in the
# metric catalogue (meta.metric_catalogue, published as mart.metric_catalogue).
_SCOPE_AND_PERIOD = {
    "scope_code": "the unit (agency_code); its metric covers its whole subtree (§2.3)",
    "scope_name": "the unit's name",
    "period_type": "month, quarter or year",
    "period_start": "first day of the calendar period",
    "period_end": "last day of the period, cut at the as-of date",
}
_DOSSIER_CODES = {
    "dossier_id": "the dossier's id in the one-stop system (mã hồ sơ, §2.1)",
    "procedure_code": "the procedure (mã TTHC), in staging.procedures",
    "agency_code": "the unit that received the dossier, in staging.agencies",
    "channel": "1 in person, 2 online, 3 postal (§2.1)",
    "service_level": "2 none, 3 partial online, 4 full online (toàn trình)",
    "status": "1 registered … 10 result returned (§2.1)",
    "fee_amount": "fees and charges in VND, 0 when none",
    "paid_online": "0 not online, 1 national portal, 2 provincial payment portal",
    "digitized_components": "the dossier's components were digitised at intake",
    "result_attached": "an electronic result is attached",
    "rating": "4 very satisfied … 1 not satisfied; NULL when not rated",
    "complaint": "the applicant filed a complaint or petition",
}
_TIMESTAMPS = {
    name: f"{meaning} (Vietnam time, §2.0)" for name, meaning in {
        "submitted_at": "submitted", "received_at": "received (tiếp nhận)", "due_at": "due (hẹn trả)",
        "finished_at": "processing finished", "returned_at": "result returned",
        "supplement_requested_at": "supplement requested", "supplement_received_at": "supplement received",
        "updated_at": "this version exported",
    }.items()
}
COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "staging.agencies": {
        "agency_code": "the unit's code (mã đơn vị, §2.3)",
        "agency_name": "its name",
        "kind": "province, department, district, commune, ward, center or division",
        "parent_code": "the unit above it; NULL for the root",
        "admin_code": "the GSO code of a province or commune, where given",
        "valid_from": "the unit's first day; NULL: since always (§2.3)",
        "valid_to": "the last day the unit existed; NULL: it still exists",
        "depth": "0 for a root, parent's + 1 below",
    },
    "staging.unit_changes": {
        "agency_code": "a unit that ended (§2.6)",
        "successor_code": "the unit that took it over",
        "effective_date": "the successor's first day as such",
    },
    "model.units": {
        "unit_id": "the unit's number in this run, for the metric joins",
        "agency_code": "the unit's code (§2.3)",
        "agency_name": "its name",
        "kind": "province, department, district, commune, ward, center or division",
        "parent_code": "the unit above it; NULL for a root",
        "admin_code": "the GSO code of a province or commune, where given",
        "depth": "0 for a root, parent's + 1 below",
        "valid_from": "the unit's first day; NULL: since always",
        "valid_to": "the last day the unit existed; NULL: it still exists",
        "successor_code": "who took it over (unit_changes, §2.6); NULL when none is named",
        "current_code": "cur(u) at the as-of date (§4.7): itself if alive, else its successor's current unit, "
                        "else its parent's; NULL when none is alive",
        "alive": "the unit exists at the as-of date (part of today's tree)",
    },
    "staging.procedures": {
        "procedure_code": "the procedure's code (mã TTHC, §2.2)",
        "procedure_name": "its name",
        "field": "its field (lĩnh vực)",
        "agency_code": "the unit that owns it, where set",
        "service_level": "what it is offered at today: 2, 3 or 4 (full online)",
        "full_online_eligible": "it qualifies to be offered fully online",
        "processing_days": "statutory working days (thời hạn giải quyết)",
        "declared_fields": "fields the applicant declares today",
        "declared_fields_baseline": "the same before simplification, where given",
    },
    "staging.calendar_overrides": {
        "date": "the day (§2.4)",
        "is_working_day": "1 worked, 0 off, whatever the built-in calendar says",
        "note": "why",
    },
    "staging.targets": {
        "plan_id": "the plan (kế hoạch CCHC, §2.5)",
        "scope_code": "the unit the target is set for",
        "year": "the plan year",
        "kpi_code": "a code of the metric catalogue",
        "comparator": "> >= < or <=",
        "target": "the target (a fraction for rates)",
        "source": "where the target is stated",
    },
    "staging.rankings": {
        "index_code": "PAR, PCI, PAPI, DTI or SIPAS (§2.7)",
        "year": "the index's year",
        "scope_code": "the unit ranked (the province)",
        "score": "its score, as published",
        "rank": "its rank; NULL when not published (outside the listed top)",
        "provinces_ranked": "how many provinces that year's index ranked",
        "basis": "63 (before the 2025 merger) or 34 provinces",
        "source": "who published it, and where",
    },
    "staging.dossiers": {
        **_DOSSIER_CODES, **_TIMESTAMPS,
        "supplement_count": "supplement requests (yêu cầu bổ sung)",
        "source_file": "the export this version comes from",
        "row_number": "its data row in that export, from 1",
    },
    "model.calendar": {
        "date": "the day (§4.1)",
        "is_working_day": "Monday–Friday and no holiday, or a make-up Saturday, after the overrides",
        "source": "what decided it: weekday, weekend, holiday, make-up day, a built-in government decision or an override",
        "note": "the holiday or override's note",
        "wd_index": "working days up to and including this day, for wd(a, b) = wd_index(b) − wd_index(a)",
    },
    "model.dossier_facts": {
        **_DOSSIER_CODES,
        "current_agency_code": "the receiving unit's current unit at the as-of date (§4.7)",
        "received_date": "the date of received_at (§4.2)",
        "due_date": "the due date: due_at, else processing_days working days after receipt",
        "end_date": "where the clock stopped at the as-of date (§4.2)",
        "elapsed_wd": "working days taken, supplement pauses excluded",
        "allowed_wd": "working days allowed",
        "outcome": "early, on_time, late, in_progress, overdue, not_accepted or withdrawn",
    },
    "model.unit_metrics": {
        **_SCOPE_AND_PERIOD,
        "metric_code": "a code of the metric catalogue (meta.metric_catalogue: label, kind, definition; §4.4)",
        "numerator": "a count, 0 when empty; NULL for the processing-time statistics",
        "denominator": "a count, 0 when empty; NULL for the counts dossiers_received and overdue_open",
        "value": "rates: numerator / denominator, NULL when the denominator is 0; counts: the count; "
                 "processing time: the statistic in working days",
    },
    "model.unit_metrics_current": {
        **_SCOPE_AND_PERIOD,
        "scope_code": "a unit alive at the as-of date; its metric covers every dossier whose receiving unit's "
                      "current unit lies in its subtree (§4.7)",
        "metric_code": "a code of the metric catalogue (meta.metric_catalogue: label, kind, definition; §4.4)",
        "numerator": "a count, 0 when empty; NULL for the processing-time statistics",
        "denominator": "a count, 0 when empty; NULL for the counts dossiers_received and overdue_open",
        "value": "as in model.unit_metrics, on today's tree",
    },
    "score.index_766": {
        **_SCOPE_AND_PERIOD,
        "indicator_code": "an indicator of meta.index_766_indicators (§4.5), or total",
        "indicator_group": "the indicator's group (§4.5); NULL on the total row",
        "rate": "the indicator's rate; NULL when not covered and on the total row",
        "max_points": "the indicator's maximum P; on the total row the covered maximum",
        "threshold": "the threshold T; NULL on the total row",
        "points": "P if rate ≥ T, else rate × P / T, rounded half away from zero; NULL when not covered; "
                  "on the total row the sum of the rounded points",
        "score_100": "total row only: earned / covered maximum × 100; NULL when nothing is covered",
    },
    "score.scorecard": {
        "plan_id": "the plan (kế hoạch CCHC, §2.5)",
        "scope_code": "the unit the target is set for",
        "scope_name": "its name",
        "year": "the plan year",
        "kpi_code": "a code of the metric catalogue (meta.metric_catalogue)",
        "comparator": "> >= < or <=",
        "target": "the target (a fraction for rates)",
        "value": "the year-to-date value of the scope unit (§4.6); NULL when no_data",
        "numerator": "its numerator; NULL when no_data",
        "denominator": "its denominator; NULL when no_data",
        "status": "met, not_met or no_data",
        "as_of": "the as-of date of the run",
        "source": "where the target is stated",
        "value_source": "for a national ranking target (rank_par …): who published the rank",
        "tree": "current: measured on today's tree (model.unit_metrics_current, the scope unit is alive at the "
                "as-of date); as_was: on the tree as it was (model.unit_metrics, the scope unit has ended)",
    },
}


def table_metadata(
    con: duckdb.DuckDBPyConnection, table: str, preview_columns: list[str] | None = None
) -> dict[str, Any]:
    """``dagster/row_count``, ``dagster/column_schema`` and a Markdown preview of ``table``.

    ``preview_columns`` limits the preview (tables that hold personal data preview only
    the columns that do not).
    """
    described = con.execute("DESCRIBE SELECT * FROM query_table($table)", {"table": table}).fetchall()
    descriptions = COLUMN_DESCRIPTIONS.get(table, {})
    schema = TableSchema(
        columns=[TableColumn(name, str(kind), description=descriptions.get(name)) for name, kind, *_ in described]
    )
    rows = con.execute("SELECT count(*) FROM query_table($table)", {"table": table}).fetchone()[0]
    shown = preview_columns or [name for name, *_ in described]
    preview = con.execute(
        "SELECT COLUMNS(lambda c: list_contains($columns, c)) FROM query_table($table) LIMIT $limit",
        {"table": table, "columns": shown, "limit": PREVIEW_ROWS},
    ).fetchall()
    return {
        "dagster/row_count": MetadataValue.int(rows),
        "dagster/column_schema": schema,
        "preview": MetadataValue.md(markdown_table([c for c in (n for n, *_ in described) if c in shown], preview)),
    }


def markdown_table(columns: list[str], rows: list[tuple]) -> str:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(text(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_metadata(summary: dict[str, Any]) -> dict[str, Any]:
    """A build function's summary as typed metadata, so that counts can be plotted over runs."""
    typed: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, bool) or value is None:
            typed[key] = MetadataValue.text(str(value))
        elif isinstance(value, int):
            typed[key] = MetadataValue.int(value)
        elif isinstance(value, float):
            typed[key] = MetadataValue.float(value)
        elif isinstance(value, (dict, list)):
            typed[key] = MetadataValue.json(value)
        else:
            typed[key] = MetadataValue.text(str(value))
    return typed


def build_and_describe(context, warehouse, build, table: str, what: str) -> dict[str, Any]:
    """Run a stage's ``build(con, as_of)`` and return the metadata of the table it wrote:
    the common body of the model and score assets."""
    with warehouse.get_connection() as con:
        context.log.info(what)
        summary = build(con, current_as_of(con))
        return {**table_metadata(con, table), **summary_metadata(summary)}
