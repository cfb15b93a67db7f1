"""Model stage: the working-day calendar, dossier facts and unit metrics (docs/spec §4.1–4.4).

Each ``build_<table>`` runs the table's SQL file on a DuckDB connection and returns a small
summary for the asset's metadata. No Dagster here: the assets, the benchmarks and
``python -m reform_pipeline.run`` all call these functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from reform_pipeline.model.calendar import CalendarOverride, calendar_days, calendar_span
from reform_pipeline.warehouse import run_sql_file, scalar, sql_text

_READ_OVERRIDES = "SELECT date, is_working_day, note FROM staging.calendar_overrides ORDER BY date"


def build_calendar(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any]:
    """model.calendar over the span of the data (docs/spec §4.1), with its running wd_index."""
    first_data_date, last_data_date, max_processing_days = con.execute(
        sql_text("model/calendar_bounds")
    ).fetchone()
    start, end = calendar_span(first_data_date, last_data_date, as_of, max_processing_days)
    overrides = [CalendarOverride(*row) for row in con.execute(_READ_OVERRIDES).fetchall()]
    days = list(calendar_days(start, end, overrides))
    # The days go in as list parameters: building an Arrow table from Python lists imports
    # pandas, which nothing else in a run needs and every run would pay for
    # (docs/decisions/0008-in-process-run-and-dagster-overhead.md).
    run_sql_file(con, "model/calendar", {
        "dates": [d.date for d in days],
        "working": [d.is_working_day for d in days],
        "sources": [d.source for d in days],
        "notes": [d.note for d in days],
    })
    by_source = dict(
        con.execute("SELECT source, count(*) FROM model.calendar GROUP BY source ORDER BY source").fetchall()
    )
    return {
        "rows": len(days),
        "first_date": start.isoformat(),
        "last_date": end.isoformat(),
        "working_days": sum(d.is_working_day for d in days),
        "days_by_source": by_source,
        "overrides_applied": by_source.get("override", 0),
    }


def build_dossier_facts(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any]:
    """model.dossier_facts at t = as-of (docs/spec §4.2); needs model.calendar."""
    run_sql_file(con, "model/fact_rules")
    run_sql_file(con, "model/dossier_facts", {"as_of": as_of})
    by_outcome = dict(
        con.execute(
            "SELECT outcome, count(*) FROM model.dossier_facts GROUP BY outcome ORDER BY outcome"
        ).fetchall()
    )
    return {
        "rows": sum(by_outcome.values()),
        "as_of": as_of.isoformat(),
        "dossiers_by_outcome": by_outcome,
        "missing_due_date": scalar(
            con,
            "SELECT count(*) FROM model.dossier_facts "
            "WHERE outcome NOT IN ('not_accepted', 'withdrawn') AND due_date IS NULL",
        ),
    }


def build_unit_metrics(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any]:
    """model.unit_metrics for every unit × period × metric code (docs/spec §4.3–4.4); needs model.calendar."""
    run_sql_file(con, "model/fact_rules")
    run_sql_file(con, "model/unit_metrics", {"as_of": as_of})
    rows, units, periods, metric_codes, first_period = con.execute(
        "SELECT count(*), count(DISTINCT scope_code), "
        "count(DISTINCT (period_type, period_start)), count(DISTINCT metric_code), "
        "min(period_start) FROM model.unit_metrics"
    ).fetchone()
    return {
        "rows": rows,
        "as_of": as_of.isoformat(),
        "units": units,
        "periods": periods,
        "metric_codes": metric_codes,
        "first_period_start": first_period.isoformat() if first_period else None,
    }
