"""docs/spec §4.4 (dense over each unit's life, internal_units_reduction), §4.6 (which tree a
target reads) and §4.7 (cur(u), unit_metrics_current) on a small merged province.

KH is the province as it is now. NT, a province, merged into it on 2025-07-01 (successor KH).
KH's district D1 ended on 2025-06-30 with no successor (its history goes to its parent, KH); its
wards W1 and W2 and NT's commune N1 merged into the new ward NW from 2025-07-01. E, a division of
the department DEP, ended on 2025-03-31 with no successor. As-of date 2025-09-30.
"""

from __future__ import annotations

import datetime as dt

import pytest

from reform_pipeline.ops.checks import ended_units_reach_a_current_unit
from reform_pipeline.score.build import build_scorecard

from .staging_tables import add_agencies, add_dossier, add_unit_change, build_model, new_warehouse

JUNE_30, JULY_1 = "2025-06-30", "2025-07-01"
TREE = [
    ("KH", "Tỉnh Khánh Hòa", "province", None, None, None),
    ("DEP", "Sở Tư pháp", "department", "KH", None, None),
    ("E", "Phòng cũ", "division", "DEP", None, "2025-03-31"),
    ("D1", "Thành phố Nha Trang", "district", "KH", None, JUNE_30),
    ("W1", "Phường Lộc Thọ", "ward", "D1", None, JUNE_30),
    ("W2", "Phường Vĩnh Hải", "ward", "D1", None, JUNE_30),
    ("NW", "Phường Nha Trang", "ward", "KH", JULY_1, None),
    ("NT", "Tỉnh Ninh Thuận", "province", None, None, JUNE_30),
    ("N1", "Xã Nhơn Hải", "commune", "NT", None, JUNE_30),
]
AS_OF = "2025-09-30"
# receiving unit -> (dossiers received in March, in May, in August)
RECEIVED = {"W1": (2, 3, 0), "W2": (1, 1, 0), "N1": (4, 2, 0), "E": (5, 0, 0), "DEP": (1, 1, 1), "NW": (0, 0, 6)}


@pytest.fixture
def con(tmp_path):
    connection = new_warehouse(tmp_path / "warehouse.duckdb", tree=TREE)
    add_unit_change(connection, "NT", "KH", JULY_1)
    add_unit_change(connection, "W1", "NW", JULY_1)
    add_unit_change(connection, "W2", "NW", JULY_1)
    add_unit_change(connection, "N1", "NW", JULY_1)
    for unit, counts in RECEIVED.items():
        for month, count in zip((3, 5, 8), counts):
            for n in range(count):
                add_dossier(connection, f"{unit}-{month}-{n}", agency_code=unit, procedure_code="P10",
                            received_at=f"2025-{month:02d}-0{n + 3} 09:00", finished_at=f"2025-{month:02d}-20 10:00")
    connection.execute(
        "CREATE TABLE staging.targets (plan_id VARCHAR, scope_code VARCHAR, year INTEGER, kpi_code VARCHAR, "
        "comparator VARCHAR, target DOUBLE, source VARCHAR)")
    connection.executemany("INSERT INTO staging.targets VALUES ('PLAN', ?, 2025, ?, ?, ?, 'plan')", [
        ("KH", "internal_units_reduction", ">=", 0.15),
        ("KH", "dossiers_received", ">=", 1),
        ("W1", "dossiers_received", ">=", 1),
    ])
    yield connection
    connection.close()


def metric(con, table, scope, period_type, start, code="dossiers_received"):
    return con.execute(
        f"SELECT numerator, denominator, value FROM model.{table} WHERE scope_code = ? AND period_type = ? "
        "AND period_start = ? AND metric_code = ?", [scope, period_type, start, code]).fetchone()


def test_each_units_current_unit(con):
    build_model(con, AS_OF)
    current = dict(con.execute("SELECT agency_code, current_code FROM model.units").fetchall())
    assert current == {"KH": "KH", "DEP": "DEP", "NW": "NW", "E": "DEP", "D1": "KH", "W1": "NW", "W2": "NW",
                       "NT": "KH", "N1": "NW"}
    facts = dict(con.execute(
        "SELECT agency_code, any_value(current_agency_code) FROM model.dossier_facts GROUP BY 1").fetchall())
    assert facts == {unit: current[unit] for unit in RECEIVED}


def test_the_tree_as_it_was_is_dense_over_each_units_life(con):
    build_model(con, AS_OF)
    months = lambda unit: [row[0].month for row in con.execute(  # noqa: E731
        "SELECT DISTINCT period_start FROM model.unit_metrics WHERE scope_code = ? AND period_type = 'month' "
        "ORDER BY 1", [unit]).fetchall()]
    assert months("W1") == [3, 4, 5, 6]
    assert months("NW") == [7, 8, 9]
    assert months("E") == [3]
    assert months("KH") == [3, 4, 5, 6, 7, 8, 9]
    # as filed: KH covers its own units' dossiers, not Ninh Thuận's (NT's own tree holds them)
    assert metric(con, "unit_metrics", "KH", "year", dt.date(2025, 1, 1))[0] == (2 + 3) + (1 + 1) + 5 + 3 + 6
    assert metric(con, "unit_metrics", "NT", "year", dt.date(2025, 1, 1))[0] == 6


def test_todays_tree_restates_history_on_the_units_alive_now(con):
    build_model(con, AS_OF)
    scopes = {row[0] for row in con.execute("SELECT DISTINCT scope_code FROM model.unit_metrics_current").fetchall()}
    assert scopes == {"KH", "DEP", "NW"}
    # the new ward has a restated history: W1, W2 and N1's May dossiers
    assert metric(con, "unit_metrics_current", "NW", "month", dt.date(2025, 5, 1))[0] == 3 + 1 + 2
    assert metric(con, "unit_metrics_current", "NW", "month", dt.date(2025, 3, 1))[0] == 2 + 1 + 4
    # the province as it is now covers every dossier, Ninh Thuận's included
    assert metric(con, "unit_metrics_current", "KH", "year", dt.date(2025, 1, 1))[0] == sum(map(sum, RECEIVED.values()))
    # the ended division's dossiers count for its parent department
    assert metric(con, "unit_metrics_current", "DEP", "month", dt.date(2025, 3, 1))[0] == 5 + 1
    # for units alive now, dossiers they received themselves count alike in both tables
    assert metric(con, "unit_metrics", "NW", "month", dt.date(2025, 8, 1)) == metric(
        con, "unit_metrics_current", "NW", "month", dt.date(2025, 8, 1))
    # every period for every unit alive now: 7 months, 3 quarters, 1 year
    assert con.execute(
        "SELECT count(DISTINCT (period_type, period_start)) FROM model.unit_metrics_current WHERE scope_code = 'NW'"
    ).fetchone()[0] == 11


def test_internal_units_reduction(con):
    build_model(con, AS_OF)
    year = dt.date(2025, 1, 1)
    # KH: non-province units whose current unit is under KH, KH excluded. On 1 January: DEP, E, D1,
    # W1, W2, N1 (NW not yet); on 30 September: DEP, NW.
    assert metric(con, "unit_metrics_current", "KH", "year", year, "internal_units_reduction") == (4, 6, 4 / 6)
    assert metric(con, "unit_metrics", "KH", "year", year, "internal_units_reduction") == (4, 6, 4 / 6)
    # NW: W1, W2 and N1 (NW itself excluded) on 1 January; none on 30 September
    assert metric(con, "unit_metrics_current", "NW", "year", year, "internal_units_reduction") == (3, 3, 1.0)
    # May: the same units on 1 January and on 31 May
    assert metric(con, "unit_metrics_current", "NW", "month", dt.date(2025, 5, 1), "internal_units_reduction") == (
        0, 3, 0.0)
    # DEP: E ended in March; DEP itself excluded
    assert metric(con, "unit_metrics_current", "DEP", "year", year, "internal_units_reduction") == (1, 1, 1.0)


def test_units_added_make_the_reduction_negative(tmp_path):
    con = new_warehouse(tmp_path / "w.duckdb", tree=[
        ("KH", "Tỉnh", "province", None, None, None),
        ("A", "Phòng A", "division", "KH", None, None),
        ("B", "Phòng B", "division", "KH", "2025-04-01", None),
    ])
    add_dossier(con, "X", agency_code="A", procedure_code="P10", received_at="2025-02-03 09:00")
    build_model(con, "2025-05-31")
    assert metric(con, "unit_metrics", "KH", "year", dt.date(2025, 1, 1), "internal_units_reduction") == (-1, 1, -1.0)


def test_a_target_reads_todays_tree_for_a_live_unit_and_the_old_tree_for_an_ended_one(con):
    build_model(con, AS_OF)
    build_scorecard(con, dt.date.fromisoformat(AS_OF))
    rows = {(scope, kpi): (tree, numerator, status) for scope, kpi, tree, numerator, status in con.execute(
        "SELECT scope_code, kpi_code, tree, numerator, status FROM score.scorecard").fetchall()}
    assert rows == {
        ("KH", "internal_units_reduction"): ("current", 4, "met"),
        ("KH", "dossiers_received"): ("current", sum(map(sum, RECEIVED.values())), "met"),
        ("W1", "dossiers_received"): ("as_was", 5, "met"),
    }


def test_the_check_passes_and_fails_when_a_merged_province_names_no_successor(con):
    build_model(con, AS_OF)
    assert ended_units_reach_a_current_unit(con).passed
    con.execute("DELETE FROM staging.unit_changes WHERE agency_code = 'NT'")
    con.execute("DELETE FROM staging.unit_changes WHERE agency_code = 'N1'")
    build_model(con, AS_OF)
    result = ended_units_reach_a_current_unit(con)
    assert not result.passed
    assert result.description.startswith("6 dossier(s) of 1 ended unit(s) reach no unit alive at the as-of date (N1)")
