"""A tiny hand-made warehouse for the model tests: the staging tables of docs/architecture.md,
with exactly the documented columns, the metric catalogue as the ingest stage loads it, and
helpers that fill them row by row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from reform_pipeline.catalogue import load_catalogue
from reform_pipeline.model import (
    build_calendar, build_dossier_facts, build_unit_history, build_unit_metrics, build_unit_metrics_current,
)

STAGING_TABLES = [
    """CREATE TABLE staging.agencies (
        agency_code VARCHAR, agency_name VARCHAR, kind VARCHAR, parent_code VARCHAR,
        admin_code VARCHAR, valid_from DATE, valid_to DATE, depth INTEGER)""",
    """CREATE TABLE staging.unit_changes (agency_code VARCHAR, successor_code VARCHAR, effective_date DATE)""",
    """CREATE TABLE staging.unit_closure (
        ancestor_code VARCHAR, descendant_code VARCHAR, distance INTEGER)""",
    """CREATE TABLE staging.procedures (
        procedure_code VARCHAR, procedure_name VARCHAR, field VARCHAR, agency_code VARCHAR,
        service_level INTEGER, full_online_eligible BOOLEAN, processing_days INTEGER,
        declared_fields INTEGER, declared_fields_baseline INTEGER)""",
    """CREATE TABLE staging.calendar_overrides (date DATE, is_working_day BOOLEAN, note VARCHAR)""",
    """CREATE TABLE staging.rankings (
        index_code VARCHAR, year INTEGER, scope_code VARCHAR, score DOUBLE, rank INTEGER,
        provinces_ranked INTEGER, basis INTEGER, source VARCHAR)""",
    """CREATE TABLE staging.dossiers (
        dossier_id VARCHAR, procedure_code VARCHAR, agency_code VARCHAR, channel INTEGER,
        service_level INTEGER, status INTEGER, submitted_at TIMESTAMP, received_at TIMESTAMP,
        due_at TIMESTAMP, finished_at TIMESTAMP, returned_at TIMESTAMP,
        supplement_requested_at TIMESTAMP, supplement_received_at TIMESTAMP,
        supplement_count INTEGER, fee_amount BIGINT, paid_online INTEGER,
        digitized_components BOOLEAN, result_attached BOOLEAN, rating INTEGER, complaint BOOLEAN,
        updated_at TIMESTAMP, source_file VARCHAR, row_number BIGINT)""",
]

# Khánh Hòa province, Nha Trang under it with two wards, and one department.
TREE = [
    ("KH", "Tỉnh Khánh Hòa", "province", None),
    ("NT", "Thành phố Nha Trang", "district", "KH"),
    ("SO", "Sở Tư pháp", "department", "KH"),
    ("NT01", "Phường Lộc Thọ", "commune", "NT"),
    ("NT02", "Phường Vĩnh Hải", "commune", "NT"),
]

# code, owning unit, service_level, full_online_eligible, processing_days, declared, baseline
PROCEDURES = [
    ("P5", "NT01", 4, True, 5, 6, 10),
    ("P0", "NT", 3, True, 0, 4, 5),
    ("P10", "SO", 2, False, 10, None, None),
    ("PX", None, 4, True, 5, 3, 3),
]

DOSSIER_COLUMNS = [
    "dossier_id", "procedure_code", "agency_code", "channel", "service_level", "status",
    "submitted_at", "received_at", "due_at", "finished_at", "returned_at",
    "supplement_requested_at", "supplement_received_at", "supplement_count", "fee_amount",
    "paid_online", "digitized_components", "result_attached", "rating", "complaint", "updated_at",
    "source_file", "row_number",
]


def new_warehouse(path: Path, tree=TREE, procedures=PROCEDURES) -> duckdb.DuckDBPyConnection:
    """A DuckDB file with the staging schema, the unit tree and the catalogue."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA staging")
    for ddl in STAGING_TABLES:
        con.execute(ddl)
    add_agencies(con, tree)
    con.executemany(
        "INSERT INTO staging.procedures VALUES (?, ?, 'Tư pháp', ?, ?, ?, ?, ?, ?)",
        [(code, f"Thủ tục {code}", owner, level, eligible, days, declared, baseline)
         for code, owner, level, eligible, days, declared, baseline in procedures],
    )
    load_catalogue(con)
    return con


def add_agencies(con: duckdb.DuckDBPyConnection, tree) -> None:
    """``tree``: (code, name, kind, parent) or (code, name, kind, parent, valid_from, valid_to)."""
    tree = [(*unit, None, None) if len(unit) == 4 else tuple(unit) for unit in tree]
    parent_of = {code: parent for code, _, _, parent, *_ in tree}

    def ancestors(code):
        distance = 0
        while code is not None:
            yield code, distance
            code, distance = parent_of[code], distance + 1

    con.executemany(
        "INSERT INTO staging.agencies VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
        [(code, name, kind, parent, valid_from, valid_to, sum(1 for _ in ancestors(code)) - 1)
         for code, name, kind, parent, valid_from, valid_to in tree],
    )
    con.executemany(
        "INSERT INTO staging.unit_closure VALUES (?, ?, ?)",
        [(ancestor, code, distance) for code, *_ in tree for ancestor, distance in ancestors(code)],
    )


def add_unit_change(con, code: str, successor: str, effective: str) -> None:
    con.execute("INSERT INTO staging.unit_changes VALUES (?, ?, ?)", [code, successor, effective])


def add_override(con, date: str, is_working_day: bool, note: str | None) -> None:
    con.execute("INSERT INTO staging.calendar_overrides VALUES (?, ?, ?)", [date, is_working_day, note])


def add_dossier(con, dossier_id: str, **values: Any) -> None:
    """One dossier (its latest version) with the docs/spec §2.1 defaults already applied, as staging holds it."""
    row = {
        "dossier_id": dossier_id,
        "procedure_code": "P5",
        "agency_code": "NT01",
        "channel": 1,
        "service_level": 2,
        "status": 10,
        "supplement_count": None,
        "fee_amount": 0,
        "paid_online": 0,
        "digitized_components": False,
        "result_attached": False,
        "complaint": False,
        "source_file": "dossiers_2025-05-15.csv",
        "row_number": 1,
    }
    row.update(values)
    if row["supplement_count"] is None:
        row["supplement_count"] = 1 if row.get("supplement_requested_at") else 0
    con.execute(
        f"INSERT INTO staging.dossiers ({', '.join(DOSSIER_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in DOSSIER_COLUMNS)})",
        [row.get(column) for column in DOSSIER_COLUMNS],
    )


def build_model(con, as_of: str | dt.date) -> dict[str, dict]:
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    return {
        "calendar": build_calendar(con, as_of),
        "unit_history": build_unit_history(con, as_of),
        "dossier_facts": build_dossier_facts(con, as_of),
        "unit_metrics": build_unit_metrics(con, as_of),
        "unit_metrics_current": build_unit_metrics_current(con, as_of),
    }


def fact(con, dossier_id: str) -> dict[str, Any]:
    cursor = con.execute("SELECT * FROM model.dossier_facts WHERE dossier_id = ?", [dossier_id])
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    assert row is not None, f"no facts for {dossier_id}"
    return dict(zip(names, row))


def metric(con, scope_code: str, period_type: str, period_start: str, metric_code: str):
    """(numerator, denominator, value) of one unit_metrics row."""
    rows = con.execute(
        "SELECT numerator, denominator, value FROM model.unit_metrics "
        "WHERE scope_code = ? AND period_type = ? AND period_start = ? AND metric_code = ?",
        [scope_code, period_type, period_start, metric_code],
    ).fetchall()
    assert len(rows) == 1, f"{len(rows)} rows for {scope_code} {period_type} {period_start} {metric_code}"
    return rows[0]


def day(con, date: str) -> tuple:
    """(is_working_day, source, note, wd_index) of one calendar date."""
    return con.execute(
        "SELECT is_working_day, source, note, wd_index FROM model.calendar WHERE date = ?", [date]
    ).fetchone()


def wd(con, a: str, b: str) -> int:
    """wd(a, b) read from model.calendar the way the model SQL reads it."""
    index_a, index_b = (day(con, a)[3], day(con, b)[3])
    return max(0, index_b - index_a)
