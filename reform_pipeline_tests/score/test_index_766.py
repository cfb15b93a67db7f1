"""docs/spec §4.5: the 766-style index, from hand-made unit metrics and dossier facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reform_pipeline.score.build import build_index_766

from .warehouse_fixture import (
    FEB_2025_CUT,
    JAN_2025,
    Q1_2025_CUT,
    YEAR_2025_CUT,
    add_dossier,
    add_metric,
    add_units,
)

AS_OF = dt.date(2025, 2, 28)

ALL_INDICATORS = [
    "progress_on_time",
    "online_dossiers",
    "online_payment",
    "payment_procedures",
    "e_result",
    "digitization",
    "satisfaction_dossier",
]


def index_rows(con, scope_code, period=JAN_2025):
    period_type, start, _ = period
    cursor = con.execute(
        "SELECT * FROM score.index_766 WHERE scope_code = ? AND period_type = ? AND period_start = ?",
        [scope_code, period_type, start],
    )
    names = [c[0] for c in cursor.description]
    return {row[names.index("indicator_code")]: dict(zip(names, row)) for row in cursor.fetchall()}


def test_index_has_every_indicator_and_a_total_per_unit_and_period(province_warehouse):
    con = province_warehouse
    for scope in ("KH", "NT", "NT-VH", "NT-PS", "SO-TP"):
        for period in (JAN_2025, FEB_2025_CUT, Q1_2025_CUT, YEAR_2025_CUT):
            add_metric(con, scope, period, "dossiers_received", 0, None, 0)
    summary = build_index_766(con, AS_OF)
    assert summary["rows"] == 5 * 4 * 8
    assert summary["units"] == 5 and summary["periods"] == 4
    rows = index_rows(con, "NT-VH")
    assert sorted(rows) == sorted(ALL_INDICATORS + ["total"])  # the table has no row order
    assert rows["progress_on_time"]["indicator_group"] == "Tiến độ giải quyết"
    assert rows["online_dossiers"]["indicator_group"] == "Dịch vụ công trực tuyến"
    assert rows["online_payment"]["indicator_group"] == "Thanh toán trực tuyến"
    assert rows["payment_procedures"]["indicator_group"] == "Thanh toán trực tuyến"
    assert rows["e_result"]["indicator_group"] == "Số hóa hồ sơ"
    assert rows["digitization"]["indicator_group"] == "Số hóa hồ sơ"
    assert rows["satisfaction_dossier"]["indicator_group"] == "Mức độ hài lòng"
    assert rows["total"]["period_end"] == dt.date(2025, 1, 31)
    assert rows["total"]["scope_name"] == "Phường Vĩnh Hải"


def test_rate_at_threshold_earns_the_maximum(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", JAN_2025, "online_rate", 50, 100)  # r = T = 0.5
    add_metric(con, "NT", JAN_2025, "satisfaction_rate", 90, 100)  # r = T = 0.9
    add_metric(con, "NT", JAN_2025, "digitized_intake_rate", 4, 5)  # r = T = 0.8
    build_index_766(con, AS_OF)
    rows = index_rows(con, "NT")
    assert rows["online_dossiers"]["points"] == Decimal("12.00")
    assert rows["satisfaction_dossier"]["points"] == Decimal("6.00")
    assert rows["digitization"]["points"] == Decimal("4.00")
    assert rows["online_dossiers"]["threshold"] == Decimal("0.50")
    assert rows["online_dossiers"]["max_points"] == 12


def test_rate_above_threshold_earns_the_maximum(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", JAN_2025, "online_rate", 80, 100)
    add_metric(con, "NT", JAN_2025, "satisfaction_rate", 99, 100)
    build_index_766(con, AS_OF)
    rows = index_rows(con, "NT")
    assert rows["online_dossiers"]["points"] == Decimal("12.00")
    assert rows["satisfaction_dossier"]["points"] == Decimal("6.00")
    assert rows["online_dossiers"]["rate"] == 0.8


def test_rate_below_threshold_earns_rate_times_points_over_threshold(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", JAN_2025, "on_time_rate", 90, 100)  # 0.9 × 20 / 1 = 18
    add_metric(con, "NT", JAN_2025, "online_rate", 30, 100)  # 0.3 × 12 / 0.5 = 7.2
    add_metric(con, "NT", JAN_2025, "satisfaction_rate", 80, 100)  # 0.8 × 6 / 0.9 = 5.333…
    add_metric(con, "NT", JAN_2025, "e_result_rate", 0, 7)  # 0 × 6 = 0
    build_index_766(con, AS_OF)
    rows = index_rows(con, "NT")
    assert rows["progress_on_time"]["points"] == Decimal("18.00")
    assert rows["online_dossiers"]["points"] == Decimal("7.20")
    assert rows["satisfaction_dossier"]["points"] == Decimal("5.33")
    assert rows["e_result"]["points"] == Decimal("0.00")


def test_points_round_half_away_from_zero_exactly(province_warehouse):
    # Each of these lands exactly on x.xx5; binary floating point would round them down.
    con = province_warehouse
    add_metric(con, "NT", JAN_2025, "on_time_rate", 41, 800)  # 20 × 0.05125 = 1.025
    add_metric(con, "NT", JAN_2025, "online_rate", 3, 320)  # 0.009375 × 12 / 0.5 = 0.225
    add_metric(con, "NT", JAN_2025, "satisfaction_rate", 33, 160)  # 0.20625 × 6 / 0.9 = 1.375
    build_index_766(con, AS_OF)
    rows = index_rows(con, "NT")
    assert rows["progress_on_time"]["points"] == Decimal("1.03")
    assert rows["online_dossiers"]["points"] == Decimal("0.23")
    assert rows["satisfaction_dossier"]["points"] == Decimal("1.38")


def test_null_rate_is_not_covered(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", JAN_2025, "e_result_rate", 0, 0)  # nothing resolved: rate NULL
    add_metric(con, "NT", JAN_2025, "on_time_rate", 10, 10)
    build_index_766(con, AS_OF)
    rows = index_rows(con, "NT")
    assert rows["e_result"]["rate"] is None
    assert rows["e_result"]["points"] is None
    assert rows["e_result"]["max_points"] == 6
    assert rows["e_result"]["threshold"] == Decimal("1.00")
    # no unit_metrics row at all for the metric: not covered either
    assert rows["digitization"]["points"] is None
    assert rows["total"]["max_points"] == 20


def test_total_sums_rounded_points_over_the_covered_maximum(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", JAN_2025, "e_result_rate", 10, 10)  # 6.00
    add_metric(con, "NT", JAN_2025, "digitized_intake_rate", 9, 10)  # above 0.8: 4.00
    add_metric(con, "NT", JAN_2025, "satisfaction_rate", 3, 1000)  # 0.02
    add_metric(con, "NT", JAN_2025, "on_time_rate", 0, 0)  # not covered
    build_index_766(con, AS_OF)
    total = index_rows(con, "NT")["total"]
    assert total["points"] == Decimal("10.02")
    assert total["max_points"] == 16
    # 10.02 / 16 × 100 = 62.625 exactly → 62.63 (binary floating point gives 62.62)
    assert total["score_100"] == Decimal("62.63")
    assert total["rate"] is None and total["threshold"] is None


def test_total_uses_the_sum_of_rounded_points(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", JAN_2025, "satisfaction_rate", 1, 1000)  # 0.00666… → 0.01
    add_metric(con, "NT", JAN_2025, "e_result_rate", 1, 900)  # 0.00666… → 0.01
    build_index_766(con, AS_OF)
    total = index_rows(con, "NT")["total"]
    assert total["points"] == Decimal("0.02")  # not round(0.01333…) = 0.01
    assert total["max_points"] == 12
    assert total["score_100"] == Decimal("0.17")  # 0.02 / 12 × 100 = 0.1666…


def test_nothing_covered_gives_zero_points_and_no_score(province_warehouse):
    con = province_warehouse
    add_metric(con, "SO-TP", JAN_2025, "dossiers_received", 0, None, 0)
    add_metric(con, "SO-TP", JAN_2025, "on_time_rate", 0, 0)
    build_index_766(con, AS_OF)
    rows = index_rows(con, "SO-TP")
    assert all(rows[code]["points"] is None for code in ALL_INDICATORS)
    assert rows["total"]["points"] == Decimal("0.00")
    assert rows["total"]["max_points"] == 0
    assert rows["total"]["score_100"] is None
    assert all(rows[code]["score_100"] is None for code in ALL_INDICATORS)


def _payment_fixture(con):
    """KH ⊃ NT ⊃ {NT-VH, NT-PS}; as-of 2025-02-28 cuts Q1 and the year."""
    for scope in ("KH", "NT", "NT-VH", "NT-PS", "SO-TP"):
        for period in (JAN_2025, FEB_2025_CUT, Q1_2025_CUT, YEAR_2025_CUT):
            add_metric(con, scope, period, "dossiers_received", 0, None, 0)
    jan, feb = dt.date(2025, 1, 10), dt.date(2025, 2, 3)
    # procedure A: paid online at the commune, paid in person at the district (still "paid")
    add_dossier(con, "d1", "A", "NT-VH", jan, fee_amount=50_000, paid_online=1)
    add_dossier(con, "d2", "A", "NT", jan, fee_amount=50_000, paid_online=0)
    # procedure B: a fee, never paid online
    add_dossier(con, "d3", "B", "NT", jan, fee_amount=20_000, paid_online=0)
    add_dossier(con, "d3b", "B", "NT", jan, fee_amount=20_000, paid_online=0)
    # procedure C: paid online but no fee: not in the denominator
    add_dossier(con, "d4", "C", "NT-VH", jan, fee_amount=0, paid_online=1)
    # procedure E: paid on the provincial portal but not accepted: not received
    add_dossier(con, "d5", "E", "NT-VH", jan, fee_amount=10_000, paid_online=2, status=3,
                outcome="not_accepted")
    # procedure F: withdrawn dossiers are received (docs/spec §4.3)
    add_dossier(con, "d6", "F", "NT", jan, fee_amount=10_000, paid_online=2, status=7,
                outcome="withdrawn")
    # procedure G: paid online in February only
    add_dossier(con, "d7", "G", "NT-VH", feb, fee_amount=10_000, paid_online=1)
    # procedure H: at the province itself, not paid online
    add_dossier(con, "d8", "H", "KH", jan, fee_amount=10_000, paid_online=0)
    # procedure K: received after the as-of date: outside every period
    add_dossier(con, "d9", "K", "NT-VH", dt.date(2025, 3, 5), fee_amount=10_000, paid_online=1,
                outcome="in_progress")


def _payment(con, scope, period):
    row = index_rows(con, scope, period)["payment_procedures"]
    return row["rate"], row["points"]


def test_payment_procedures_counts_distinct_procedures_per_subtree(province_warehouse):
    con = province_warehouse
    _payment_fixture(con)
    build_index_766(con, AS_OF)
    # January: NT-VH {A paid}; NT {A paid, B, F paid}; KH {A, B, F, H}
    assert _payment(con, "NT-VH", JAN_2025) == (1.0, Decimal("2.00"))
    rate, points = _payment(con, "NT", JAN_2025)
    assert abs(rate - 2 / 3) < 1e-12
    assert points == Decimal("1.67")  # 2/3 × 2 / 0.8 = 1.666…
    assert _payment(con, "KH", JAN_2025) == (0.5, Decimal("1.25"))
    # February: only G, paid
    assert _payment(con, "KH", FEB_2025_CUT) == (1.0, Decimal("2.00"))
    # Q1 to the as-of date: KH {A, B, F, G, H} → 3 / 5; K (March) is not counted
    assert _payment(con, "KH", Q1_2025_CUT) == (0.6, Decimal("1.50"))
    assert _payment(con, "KH", YEAR_2025_CUT) == (0.6, Decimal("1.50"))
    assert _payment(con, "NT-VH", Q1_2025_CUT) == (1.0, Decimal("2.00"))


def test_payment_procedures_without_fee_dossiers_is_not_covered(province_warehouse):
    con = province_warehouse
    _payment_fixture(con)
    build_index_766(con, AS_OF)
    assert _payment(con, "NT-PS", JAN_2025) == (None, None)
    assert _payment(con, "SO-TP", Q1_2025_CUT) == (None, None)


def test_payment_procedures_rounds_half_away_from_zero(warehouse):
    # 3 of 20 procedures paid online: 0.15 × 2 / 0.8 = 0.375 → 0.38
    add_units(warehouse, [("KH", "Tỉnh Khánh Hòa", "province", None)])
    add_metric(warehouse, "KH", JAN_2025, "dossiers_received", 20, None, 20)
    for i in range(20):
        add_dossier(warehouse, f"d{i}", f"P{i:02d}", "KH", dt.date(2025, 1, 15),
                    fee_amount=1_000, paid_online=1 if i < 3 else 0)
    build_index_766(warehouse, AS_OF)
    assert _payment(warehouse, "KH", JAN_2025) == (0.15, Decimal("0.38"))


def test_payment_procedures_with_fees_but_none_paid_online_scores_zero(warehouse):
    # covered (fee dossiers exist) with a rate of 0, not left out: the units' sets of paid
    # procedures are empty (NULL bit sets), and so is their union
    add_units(warehouse, [("KH", "Tỉnh Khánh Hòa", "province", None)])
    add_metric(warehouse, "KH", JAN_2025, "dossiers_received", 2, None, 2)
    add_dossier(warehouse, "d1", "P01", "KH", dt.date(2025, 1, 15), fee_amount=1_000, paid_online=0)
    add_dossier(warehouse, "d2", "P02", "KH", dt.date(2025, 1, 16), fee_amount=1_000, paid_online=0)
    build_index_766(warehouse, AS_OF)
    assert _payment(warehouse, "KH", JAN_2025) == (0.0, Decimal("0.00"))


def test_province_summary_reports_the_latest_year(province_warehouse):
    con = province_warehouse
    add_metric(con, "KH", YEAR_2025_CUT, "on_time_rate", 45, 50)  # 18.00 / 20
    summary = build_index_766(con, AS_OF)
    assert summary["province_code"] == "KH"
    assert summary["province_year"] == 2025
    assert summary["province_points"] == 18.0
    assert summary["province_max_points"] == 20
    assert summary["province_score_100"] == 90.0


def test_rebuilding_replaces_the_table(province_warehouse):
    con = province_warehouse
    add_metric(con, "KH", JAN_2025, "on_time_rate", 45, 50)
    first = build_index_766(con, AS_OF)
    second = build_index_766(con, AS_OF)
    assert first["rows"] == second["rows"] == 8


def test_indicators_points_and_thresholds_come_from_the_metric_catalogue(province_warehouse):
    con = province_warehouse
    add_metric(con, "NT", JAN_2025, "online_rate", 30, 100)
    add_metric(con, "NT", JAN_2025, "satisfaction_rate", 45, 100)
    build_index_766(con, AS_OF)
    assert index_rows(con, "NT")["online_dossiers"]["points"] == Decimal("7.20")  # 0.3 × 12 / 0.5
    # the catalogue decides: P 10 and T 0.6 instead of 12 and 0.5; satisfaction scores late_rate
    con.execute("UPDATE meta.index_766_indicators SET max_points = 10, threshold = 0.60 "
                "WHERE indicator_code = 'online_dossiers'")
    con.execute("UPDATE meta.index_766_indicators SET rate_metric_code = 'late_rate' "
                "WHERE indicator_code = 'satisfaction_dossier'")
    build_index_766(con, AS_OF)
    rows = index_rows(con, "NT")
    assert rows["online_dossiers"]["points"] == Decimal("5.00")  # 0.3 × 10 / 0.6
    assert (rows["online_dossiers"]["max_points"], rows["online_dossiers"]["threshold"]) == (10, Decimal("0.60"))
    assert rows["satisfaction_dossier"]["points"] is None  # late_rate has no row: not covered
    assert rows["total"]["max_points"] == 10
