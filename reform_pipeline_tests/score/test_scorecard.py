"""docs/spec §4.6: each plan target beside its measured year-to-date value and its status."""

from __future__ import annotations

import datetime as dt

import pytest

from reform_pipeline.score.build import build_scorecard

from .warehouse_fixture import JAN_2025, YEAR_2025_CUT, add_metric, add_target

AS_OF = dt.date(2025, 2, 28)


def scorecard(con):
    cursor = con.execute("SELECT * FROM score.scorecard")
    names = [c[0] for c in cursor.description]
    return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}


@pytest.mark.parametrize(
    ("comparator", "target", "status"),
    [
        (">", 0.84, "met"),
        (">", 0.85, "not_met"),  # equal is not more
        (">=", 0.85, "met"),
        (">=", 0.86, "not_met"),
        ("<", 0.86, "met"),
        ("<", 0.85, "not_met"),
        ("<=", 0.85, "met"),
        ("<=", 0.84, "not_met"),
    ],
)
def test_each_comparator_is_met_or_not(province_warehouse, comparator, target, status):
    con = province_warehouse
    add_metric(con, "KH", YEAR_2025_CUT, "satisfaction_rate", 17, 20)  # 0.85
    add_metric(con, "KH", JAN_2025, "satisfaction_rate", 1, 20)  # a month row is not the year
    add_target(con, "KH-2025", "KH", 2025, "satisfaction_rate", comparator, target, "KH CCHC 2025")
    summary = build_scorecard(con, AS_OF)
    row = scorecard(con)["KH-2025"]
    assert row["status"] == status
    assert row["value"] == 0.85
    assert (row["numerator"], row["denominator"]) == (17, 20)
    assert summary[status] == 1 and summary["rows"] == 1


def test_targets_of_the_shipped_plans_read_like_the_plans(province_warehouse):
    con = province_warehouse
    add_metric(con, "KH", YEAR_2025_CUT, "online_payment_rate", 7, 10)  # 0.70
    add_metric(con, "KH", YEAR_2025_CUT, "declared_info_reduction", 20, 100)  # 0.20
    add_target(con, "KH-2025-pay", "KH", 2025, "online_payment_rate", ">", 0.70)
    add_target(con, "KH-2025-info", "KH", 2025, "declared_info_reduction", ">=", 0.20)
    build_scorecard(con, AS_OF)
    rows = scorecard(con)
    assert rows["KH-2025-pay"]["status"] == "not_met"  # 70 % is not more than 70 %
    assert rows["KH-2025-info"]["status"] == "met"  # 20 % reaches at least 20 %


def test_null_value_is_no_data(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", YEAR_2025_CUT, "satisfaction_rate", 0, 0)  # nothing handled
    add_target(con, "NT-2025", "NT", 2025, "satisfaction_rate", ">", 0.84)
    build_scorecard(con, AS_OF)
    row = scorecard(con)["NT-2025"]
    assert row["status"] == "no_data"
    assert row["value"] is None and row["numerator"] is None and row["denominator"] is None


def test_year_not_published_is_no_data(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", YEAR_2025_CUT, "satisfaction_rate", 9, 10)
    add_target(con, "KH CCHC 2023 Nha Trang", "NT", 2023, "satisfaction_rate", ">", 0.84, "KH 2023")
    build_scorecard(con, AS_OF)
    row = scorecard(con)["KH CCHC 2023 Nha Trang"]
    assert row["status"] == "no_data"
    assert row["value"] is None and row["numerator"] is None and row["denominator"] is None
    # the rest of the row still says what the target was
    assert row["scope_name"] == "Thành phố Nha Trang"
    assert (row["year"], row["comparator"], row["target"], row["source"]) == (2023, ">", 0.84, "KH 2023")


def test_row_carries_scope_name_as_of_and_source(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", YEAR_2025_CUT, "online_payment_rate", 3, 10)
    add_target(con, "NT-2025", "NT", 2025, "online_payment_rate", ">=", 0.30, "KH số 1/KH-UBND")
    build_scorecard(con, AS_OF)
    row = scorecard(con)["NT-2025"]
    assert row["status"] == "met"  # 3/10 reaches exactly 0.30
    assert row["scope_code"] == "NT" and row["scope_name"] == "Thành phố Nha Trang"
    assert row["as_of"] == AS_OF
    assert row["source"] == "KH số 1/KH-UBND"
    columns = [c[0] for c in con.execute("SELECT * FROM score.scorecard LIMIT 0").description]
    assert columns == [
        "plan_id", "scope_code", "scope_name", "year", "kpi_code", "comparator", "target",
        "value", "numerator", "denominator", "status", "as_of", "source", "tree", "value_source",
    ]
