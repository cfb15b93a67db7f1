"""Tiny hand-made inputs of the score stage, with exactly the documented columns.

The tables mirror docs/architecture.md: ``staging.agencies``, ``staging.unit_closure``,
``staging.targets``, ``staging.rankings``, ``model.units``, ``model.unit_metrics`` and
``model.dossier_facts`` (docs/spec §5 columns), and the metric catalogue as the ingest stage loads
it (``meta.metric_catalogue``, ``meta.index_766_indicators``, ``meta.ranking_indices``). Every unit
here is alive at the as-of date, so today's tree is the tree as it was: ``add_metric`` writes the
same row to ``model.unit_metrics`` and ``model.unit_metrics_current``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from reform_pipeline.catalogue import load_catalogue

DDL = [
    "CREATE SCHEMA IF NOT EXISTS staging",
    "CREATE SCHEMA IF NOT EXISTS model",
    "CREATE SCHEMA IF NOT EXISTS meta",
    """CREATE TABLE staging.agencies (
        agency_code VARCHAR, agency_name VARCHAR, kind VARCHAR, parent_code VARCHAR,
        admin_code VARCHAR, valid_from DATE, valid_to DATE, depth INTEGER)""",
    """CREATE TABLE staging.rankings (
        index_code VARCHAR, year INTEGER, scope_code VARCHAR, score DOUBLE, rank INTEGER,
        provinces_ranked INTEGER, basis INTEGER, source VARCHAR)""",
    """CREATE TABLE staging.unit_closure (
        ancestor_code VARCHAR, descendant_code VARCHAR, distance INTEGER)""",
    """CREATE TABLE staging.targets (
        plan_id VARCHAR, scope_code VARCHAR, year INTEGER, kpi_code VARCHAR,
        comparator VARCHAR, target DOUBLE, source VARCHAR)""",
    """CREATE TABLE model.unit_metrics (
        scope_code VARCHAR, scope_name VARCHAR, period_type VARCHAR, period_start DATE,
        period_end DATE, metric_code VARCHAR, numerator BIGINT, denominator BIGINT,
        value DOUBLE)""",
    "CREATE TABLE model.unit_metrics_current AS SELECT * FROM model.unit_metrics",
    """CREATE TABLE model.units (
        unit_id INTEGER, agency_code VARCHAR, agency_name VARCHAR, kind VARCHAR, parent_code VARCHAR,
        admin_code VARCHAR, depth INTEGER, valid_from DATE, valid_to DATE, successor_code VARCHAR,
        current_code VARCHAR, alive BOOLEAN)""",
    """CREATE TABLE model.dossier_facts (
        dossier_id VARCHAR, procedure_code VARCHAR, agency_code VARCHAR, current_agency_code VARCHAR,
        channel INTEGER, service_level INTEGER, status INTEGER, received_date DATE, due_date DATE,
        end_date DATE, fee_amount BIGINT, paid_online INTEGER, digitized_components BOOLEAN,
        result_attached BOOLEAN, rating INTEGER, complaint BOOLEAN, elapsed_wd INTEGER,
        allowed_wd INTEGER, outcome VARCHAR)""",
]

JAN_2025 = ("month", dt.date(2025, 1, 1), dt.date(2025, 1, 31))
FEB_2025_CUT = ("month", dt.date(2025, 2, 1), dt.date(2025, 2, 28))
Q1_2025_CUT = ("quarter", dt.date(2025, 1, 1), dt.date(2025, 2, 28))
YEAR_2025_CUT = ("year", dt.date(2025, 1, 1), dt.date(2025, 2, 28))


def create_inputs(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)
    load_catalogue(con)


def add_units(con: duckdb.DuckDBPyConnection, units: list[tuple[str, str, str, str | None]]) -> None:
    """(code, name, kind, parent) rows, parents first; fills depth and the closure."""
    parents = {code: parent for code, _, _, parent in units}

    def ancestors(code: str) -> list[str]:
        chain = [code]
        while parents.get(chain[-1]) is not None:
            chain.append(parents[chain[-1]])
        return chain

    for code, name, kind, parent in units:
        chain = ancestors(code)
        con.execute(
            "INSERT INTO staging.agencies VALUES (?, ?, ?, ?, NULL, NULL, NULL, ?)",
            [code, name, kind, parent, len(chain) - 1],
        )
        con.execute(
            "INSERT INTO model.units SELECT (SELECT count(*) + 1 FROM model.units), ?, ?, ?, ?, NULL, ?, "
            "NULL, NULL, NULL, ?, TRUE",
            [code, name, kind, parent, len(chain) - 1, code],
        )
        for distance, ancestor in enumerate(chain):
            con.execute("INSERT INTO staging.unit_closure VALUES (?, ?, ?)", [ancestor, code, distance])


def add_metric(
    con: duckdb.DuckDBPyConnection,
    scope_code: str,
    period: tuple[str, dt.date, dt.date],
    metric_code: str,
    numerator: int | None,
    denominator: int | None,
    value: Any = "ratio",
) -> None:
    """One unit_metrics row; a rate's value is numerator / denominator (NULL when 0) by default."""
    if value == "ratio":
        value = None if not denominator else numerator / denominator
    name = con.execute(
        "SELECT agency_name FROM staging.agencies WHERE agency_code = ?", [scope_code]
    ).fetchone()[0]
    period_type, start, end = period
    for table in ("model.unit_metrics", "model.unit_metrics_current"):
        con.execute(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [scope_code, name, period_type, start, end, metric_code, numerator, denominator, value],
        )


def add_dossier(
    con: duckdb.DuckDBPyConnection,
    dossier_id: str,
    procedure_code: str,
    agency_code: str,
    received_date: dt.date | None,
    *,
    fee_amount: int = 0,
    paid_online: int = 0,
    status: int = 10,
    outcome: str = "on_time",
) -> None:
    con.execute(
        """INSERT INTO model.dossier_facts VALUES
           (?, ?, ?, ?, 2, 4, ?, ?, NULL, NULL, ?, ?, false, false, NULL, false, NULL, NULL, ?)""",
        [dossier_id, procedure_code, agency_code, agency_code, status, received_date, fee_amount, paid_online,
         outcome],
    )


def add_target(
    con: duckdb.DuckDBPyConnection,
    plan_id: str,
    scope_code: str,
    year: int,
    kpi_code: str,
    comparator: str,
    target: float,
    source: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO staging.targets VALUES (?, ?, ?, ?, ?, ?, ?)",
        [plan_id, scope_code, year, kpi_code, comparator, target, source],
    )
