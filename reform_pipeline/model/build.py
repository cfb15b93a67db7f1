"""Model stage: the working-day calendar, the unit tree at the as-of date, dossier facts and unit
metrics on the tree as it was and on today's tree (docs/spec §4.1–4.4, §4.7).

Each ``build_<table>`` runs the table's SQL file on a DuckDB connection and returns a small
summary for the asset's metadata. No Dagster here: the assets, the benchmarks and
``python -m reform_pipeline.run`` all call these functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from reform_pipeline.model.calendar import CalendarOverride, calendar_days, calendar_span
from reform_pipeline.warehouse import execute, run_sql_file, scalar, sql_text

# How many ended units the unit history's metadata lists by name.
EXAMPLES = 20

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


def build_unit_history(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any]:
    """model.units: every unit's life, successor and current unit at the as-of date (cur(u),
    docs/spec §4.7), and model.unit_rollup, which receiving units each scope covers on each tree."""
    run_sql_file(con, "model/units", {"as_of": as_of})
    units, alive, ended, to_successor, no_current = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE alive), "
        "count(*) FILTER (WHERE valid_to < CAST(? AS DATE)), "
        "count(*) FILTER (WHERE NOT alive AND successor_code IS NOT NULL), "
        "count(*) FILTER (WHERE current_code IS NULL) FROM model.units",
        [as_of],
    ).fetchone()
    cursor = con.execute(sql_text("model/units_history_went_to"), [EXAMPLES])
    names = [column[0] for column in cursor.description]
    history_went_to = [dict(zip(names, row)) for row in cursor.fetchall()]
    return {
        "units": units,
        "as_of": as_of.isoformat(),
        "units_alive_at_as_of": alive,
        "units_ended": ended,
        "units_ended_to_a_successor": to_successor,
        "units_without_current_unit": no_current,
        "history_went_to": history_went_to,
    }


def build_unit_metrics(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any]:
    """model.unit_metrics, the tree as it was: every unit × every period of its life × metric code
    (docs/spec §4.3–4.4); needs model.calendar and model.units. Leaves the counts per receiving
    unit (model.unit_period_counts, model.unit_period_elapsed) for model.unit_metrics_current."""
    run_sql_file(con, "model/fact_rules")
    run_sql_file(con, "model/unit_counts", {"as_of": as_of})
    return _roll_up(con, "as_was", as_of)


def build_unit_metrics_current(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any]:
    """model.unit_metrics_current, today's tree (docs/spec §4.7): every unit alive at the as-of
    date × every period × metric code, each dossier counted for its receiving unit's current unit;
    needs model.unit_metrics's counts."""
    return _roll_up(con, "current", as_of)


# The two trees of docs/spec §4.7 and the table each one's metrics are stored in.
METRIC_TABLES = {"as_was": "unit_metrics", "current": "unit_metrics_current"}


def _roll_up(con: duckdb.DuckDBPyConnection, tree: str, as_of: dt.date) -> dict[str, Any]:
    """Roll the counts per receiving unit up on ``tree`` (model/unit_metrics.sql) into its table."""
    table_name = METRIC_TABLES[tree]
    run_sql_file(con, "model/unit_metrics", {"tree": tree})
    # The rows are written once, straight from the view into the tree's table; the catalogue
    # check reads them there, and a refused table is rolled back to the one before.
    execute(con, "BEGIN TRANSACTION")
    try:
        execute(con, f"CREATE OR REPLACE TABLE model.{table_name} AS SELECT * FROM model_unit_metrics_out")
        run_sql_file(con, "model/unit_metrics_codes", {"table_name": table_name})
        execute(con, "COMMIT")
    except BaseException:
        execute(con, "ROLLBACK")
        raise
    execute(con, "DROP VIEW model_unit_metrics_out")
    rows, units, periods, metric_codes, first_period = con.execute(
        "SELECT count(*), count(DISTINCT scope_code), "
        "count(DISTINCT (period_type, period_start)), count(DISTINCT metric_code), "
        f"min(period_start) FROM model.{table_name}"
    ).fetchone()
    return {
        "rows": rows,
        "tree": tree,
        "as_of": as_of.isoformat(),
        "units": units,
        "periods": periods,
        "metric_codes": metric_codes,
        "first_period_start": first_period.isoformat() if first_period else None,
    }
