"""docs/spec §4.3–4.4: unit metrics per unit × period × metric code (model.unit_metrics).

The unit tree: KH (province) ⊃ NT (Nha Trang) ⊃ NT01, NT02, and KH ⊃ SO (a department).
Procedure P5 takes 5 working days. April 2025: Monday 7 April (Hùng Kings) and Wednesday 30
April are holidays, Saturday 26 April is a make-up working day.
"""

import datetime as dt

import pytest

from .staging_tables import add_dossier, build_model, metric

METRIC_CODES = [
    "dossiers_received", "online_rate", "full_online_rate", "online_payment_rate",
    "digitized_intake_rate", "on_time_rate", "early_rate", "late_rate", "overdue_open",
    "processing_wd_avg", "processing_wd_median", "processing_wd_p90", "e_result_rate",
    "satisfaction_rate", "rating_satisfied_share", "full_online_procedure_rate",
    "declared_info_reduction",
]

UNIT_METRICS_COLUMNS = [
    "scope_code", "scope_name", "period_type", "period_start", "period_end", "metric_code",
    "numerator", "denominator", "value",
]


def add_april_dossiers(con):
    """Eight dossiers of ward NT01, as-of 30 April 2025 (outcomes at t = 30 April)."""
    # received 1 Apr, finished 3 Apr: 2 working days, early
    add_dossier(con, "D1", received_at="2025-04-01 08:00", finished_at="2025-04-03 10:00",
                channel=2, service_level=4, fee_amount=50000, paid_online=1,
                digitized_components=True, result_attached=True, rating=4)
    # received 2 Apr, finished 14 Apr: 3, 4, 8, 9, 10, 11, 14 = 7 working days, late
    add_dossier(con, "D2", received_at="2025-04-02 08:00", finished_at="2025-04-14 10:00",
                fee_amount=30000, rating=1, complaint=True)
    # received 8 Apr, finished 15 Apr: 5 working days, on time
    add_dossier(con, "D3", status=9, received_at="2025-04-08 08:00", finished_at="2025-04-15 10:00",
                channel=2, service_level=3, result_attached=True)
    # received 10 Apr, open: 11, 14–18, 21–25, 26, 28, 29 = 14 working days by 30 Apr, overdue
    add_dossier(con, "D4", status=4, received_at="2025-04-10 08:00", channel=3)
    # received 25 Apr, open: 26, 28, 29 = 3 working days, in progress
    add_dossier(con, "D5", status=4, received_at="2025-04-25 08:00", channel=2, service_level=4,
                fee_amount=20000, paid_online=2)
    # withdrawn: received, never handled
    add_dossier(con, "D6", status=7, received_at="2025-04-03 08:00", channel=2)
    # not accepted: nowhere
    add_dossier(con, "D7", status=3, received_at="2025-04-03 08:00", channel=2)
    # received 28 Mar, stopped 4 Apr: 31 Mar, 1–4 Apr = 5 working days, on time
    add_dossier(con, "D8", status=8, received_at="2025-03-28 08:00", finished_at="2025-04-04 10:00",
                rating=3)


def test_each_metric_code_for_a_ward_in_april(con):
    add_april_dossiers(con)
    build_model(con, "2025-04-30")
    expected = {
        # received(April) = D1, D2, D3, D4, D5, D6
        "dossiers_received": (6, None, 6.0),
        "online_rate": (4, 6, 4 / 6),  # D1, D3, D5, D6
        "full_online_rate": (2, 6, 2 / 6),  # D1, D5
        "online_payment_rate": (2, 3, 2 / 3),  # fees: D1 (paid 1), D2 (not), D5 (paid 2)
        "digitized_intake_rate": (1, 6, 1 / 6),  # D1
        # handled(April) = D1 early, D2 late, D3 on time, D4 overdue, D5 in progress, D8 on time
        "on_time_rate": (4, 6, 4 / 6),
        "early_rate": (1, 6, 1 / 6),
        "late_rate": (2, 6, 2 / 6),
        "overdue_open": (1, None, 1.0),
        # resolved(April) = D1 2, D3 5, D8 5, D2 7 working days
        "processing_wd_avg": (None, 4, 4.75),
        "processing_wd_median": (None, 4, 5.0),
        "processing_wd_p90": (None, 4, 6.4),  # h = 3 × 0.9 = 2.7: 5 + 0.7 × (7 − 5)
        "e_result_rate": (2, 3, 2 / 3),  # status 9/10: D1, D2, D3; with a result: D1, D3
        # none of rating 1, complaint, late, overdue: D1, D3, D5, D8
        "satisfaction_rate": (4, 6, 4 / 6),
        "rating_satisfied_share": (2, 3, 2 / 3),  # rated: D1 (4), D2 (1), D8 (3)
        # catalogue: NT01 owns P5 (eligible, full online; 10 → 6 fields)
        "full_online_procedure_rate": (1, 1, 1.0),
        "declared_info_reduction": (4, 10, 0.4),
    }
    assert sorted(expected) == sorted(METRIC_CODES)
    for code, (numerator, denominator, value) in expected.items():
        got = metric(con, "NT01", "month", "2025-04-01", code)
        assert got[:2] == (numerator, denominator), code
        assert got[2] == pytest.approx(value), code


def test_table_has_the_columns_of_spec_section_5(con):
    add_april_dossiers(con)
    build_model(con, "2025-04-30")
    columns = [r[0] for r in con.execute("DESCRIBE model.unit_metrics").fetchall()]
    assert columns == UNIT_METRICS_COLUMNS


def test_periods_are_dense_units_times_periods_times_metric_codes(con):
    add_april_dossiers(con)
    summary = build_model(con, "2025-04-30")["unit_metrics"]
    # first accepted dossier received in March: months Mar, Apr; quarters Q1, Q2; year 2025
    # (period_start is the calendar start, even before the first dossier)
    periods = con.execute(
        "SELECT DISTINCT period_type, period_start, period_end FROM model.unit_metrics ORDER BY 1, 2"
    ).fetchall()
    assert periods == [
        ("month", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        ("month", dt.date(2025, 4, 1), dt.date(2025, 4, 30)),
        ("quarter", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("quarter", dt.date(2025, 4, 1), dt.date(2025, 4, 30)),
        ("year", dt.date(2025, 1, 1), dt.date(2025, 4, 30)),
    ]
    # 5 units × 5 periods × 18 metric codes
    assert summary["rows"] == 450
    assert con.execute("SELECT count(*) FROM model.unit_metrics").fetchone()[0] == 450
    assert con.execute(
        "SELECT count(*) FROM (SELECT DISTINCT scope_code, period_type, period_start, metric_code FROM model.unit_metrics)"
    ).fetchone()[0] == 450
    assert summary["units"] == 5 and summary["periods"] == 5 and summary["metric_codes"] == 18


def test_period_end_is_cut_at_the_as_of_date(con):
    add_april_dossiers(con)
    build_model(con, "2025-04-15")
    periods = con.execute(
        "SELECT DISTINCT period_type, period_start, period_end FROM model.unit_metrics ORDER BY 1, 2"
    ).fetchall()
    assert periods == [
        ("month", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        ("month", dt.date(2025, 4, 1), dt.date(2025, 4, 15)),
        ("quarter", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("quarter", dt.date(2025, 4, 1), dt.date(2025, 4, 15)),
        ("year", dt.date(2025, 1, 1), dt.date(2025, 4, 15)),
    ]
    # received by 15 April: D1, D2, D3, D4, D6 (D5 comes on 25 April)
    assert metric(con, "NT01", "month", "2025-04-01", "dossiers_received") == (5, None, 5.0)
    # handled at 15 April: D1 early, D2 late (14 Apr), D3 on time (15 Apr), D8 on time,
    # D4 open for 11, 14, 15 April = 3 days: in progress

    assert metric(con, "NT01", "month", "2025-04-01", "overdue_open") == (0, None, 0.0)
    assert metric(con, "NT01", "month", "2025-04-01", "on_time_rate")[:2] == (4, 5)


def test_dossier_finished_after_a_period_end_was_open_in_that_period(con):
    # received Fri 28 March, stopped Fri 4 April (status 8)
    add_april_dossiers(con)
    build_model(con, "2025-04-30")
    # March, t = 31 March: open for 1 working day (31 Mar): handled, in progress, not resolved
    assert metric(con, "NT01", "month", "2025-03-01", "dossiers_received") == (1, None, 1.0)
    assert metric(con, "NT01", "month", "2025-03-01", "on_time_rate") == (1, 1, 1.0)
    assert metric(con, "NT01", "month", "2025-03-01", "early_rate") == (0, 1, 0.0)
    assert metric(con, "NT01", "month", "2025-03-01", "processing_wd_avg") == (None, 0, None)
    assert metric(con, "NT01", "quarter", "2025-01-01", "on_time_rate") == (1, 1, 1.0)
    # the year contains it once, resolved: D1, D2, D3, D8
    assert metric(con, "NT01", "year", "2025-01-01", "processing_wd_avg") == (None, 4, 4.75)
    assert metric(con, "NT01", "year", "2025-01-01", "dossiers_received") == (7, None, 7.0)


def test_open_dossier_late_at_a_period_end_counts_as_overdue_there(con):
    # received Tue 1 April, finished Fri 9 May: at 30 April, 2–4, 8–11, 14–18, 21–26, 28, 29 =
    # 20 working days of 5: overdue in April; late in May (finished)
    add_dossier(con, "HS-1", received_at="2025-04-01 08:00", finished_at="2025-05-09 10:00")
    build_model(con, "2025-05-31")
    assert metric(con, "NT01", "month", "2025-04-01", "overdue_open") == (1, None, 1.0)
    assert metric(con, "NT01", "month", "2025-04-01", "late_rate") == (1, 1, 1.0)
    assert metric(con, "NT01", "month", "2025-05-01", "overdue_open") == (0, None, 0.0)
    assert metric(con, "NT01", "month", "2025-05-01", "late_rate") == (1, 1, 1.0)
    # 2025-Q2 holds it once, finished: 20 + 5–9 May = 25 working days
    assert metric(con, "NT01", "quarter", "2025-04-01", "processing_wd_avg") == (None, 1, 25.0)
    assert metric(con, "NT01", "month", "2025-04-01", "processing_wd_avg") == (None, 0, None)


def test_supplement_answered_after_a_period_end_was_pending_in_that_period(con):
    # received Mon 24 March, supplement asked Wed 26 March, answered Wed 2 April, finished Fri 4 April
    add_dossier(
        con, "HS-1", received_at="2025-03-24 08:00", supplement_requested_at="2025-03-26 09:00",
        supplement_received_at="2025-04-02 09:00", finished_at="2025-04-04 10:00",
    )
    build_model(con, "2025-04-30")
    # at 31 March the clock stood at 26 March: 2 working days, in progress
    assert metric(con, "NT01", "month", "2025-03-01", "on_time_rate") == (1, 1, 1.0)
    # at 30 April: wd(24 Mar, 4 Apr) = 9 minus the pause wd(26 Mar, 2 Apr) = 5: 4 days, early
    assert metric(con, "NT01", "month", "2025-04-01", "early_rate") == (1, 1, 1.0)
    assert metric(con, "NT01", "month", "2025-04-01", "processing_wd_avg") == (None, 1, 4.0)


def test_withdrawn_dossiers_are_received_but_not_handled(con):
    add_dossier(con, "HS-1", status=7, received_at="2025-04-03 08:00")
    add_dossier(con, "HS-2", received_at="2025-04-03 08:00", finished_at="2025-04-04 08:00")
    build_model(con, "2025-04-30")
    assert metric(con, "NT01", "month", "2025-04-01", "dossiers_received") == (2, None, 2.0)
    assert metric(con, "NT01", "month", "2025-04-01", "on_time_rate") == (1, 1, 1.0)
    assert metric(con, "NT01", "month", "2025-04-01", "satisfaction_rate") == (1, 1, 1.0)


def test_denominator_zero_gives_a_null_value_and_zero_counts(con):
    add_april_dossiers(con)
    build_model(con, "2025-04-30")
    # ward NT02 has no dossier at all
    assert metric(con, "NT02", "month", "2025-04-01", "dossiers_received") == (0, None, 0.0)
    assert metric(con, "NT02", "month", "2025-04-01", "online_rate") == (0, 0, None)
    assert metric(con, "NT02", "month", "2025-04-01", "on_time_rate") == (0, 0, None)
    assert metric(con, "NT02", "month", "2025-04-01", "overdue_open") == (0, None, 0.0)
    assert metric(con, "NT02", "month", "2025-04-01", "processing_wd_median") == (None, 0, None)
    assert metric(con, "NT02", "month", "2025-04-01", "processing_wd_p90") == (None, 0, None)
    # March in NT01: no fee paid, nothing resolved, nothing rated
    assert metric(con, "NT01", "month", "2025-03-01", "online_payment_rate") == (0, 0, None)
    assert metric(con, "NT01", "month", "2025-03-01", "e_result_rate") == (0, 0, None)
    assert metric(con, "NT01", "month", "2025-03-01", "rating_satisfied_share") == (0, 0, None)
    # no value is NULL where the denominator is not 0, except the processing statistics
    assert con.execute(
        "SELECT count(*) FROM model.unit_metrics WHERE value IS NULL AND denominator <> 0"
    ).fetchone()[0] == 0


def test_parent_unit_sums_its_subtree(con):
    add_april_dossiers(con)
    # ward NT02: 1 and 9 working days; Nha Trang itself: 1 dossier; the department: 1 dossier
    add_dossier(con, "E1", agency_code="NT02", received_at="2025-04-01 08:00", finished_at="2025-04-02 08:00", channel=2)
    add_dossier(con, "E2", agency_code="NT02", received_at="2025-04-01 08:00", finished_at="2025-04-15 08:00")
    add_dossier(con, "E3", agency_code="NT", status=4, received_at="2025-04-29 08:00")
    add_dossier(con, "E4", agency_code="SO", procedure_code="P10", received_at="2025-04-01 08:00", finished_at="2025-04-02 08:00")
    build_model(con, "2025-04-30")
    received = {unit: metric(con, unit, "month", "2025-04-01", "dossiers_received")[0]
                for unit in ["KH", "NT", "SO", "NT01", "NT02"]}
    assert received == {"KH": 10, "NT": 9, "SO": 1, "NT01": 6, "NT02": 2}
    # online: NT01 4, NT02 1
    assert metric(con, "NT", "month", "2025-04-01", "online_rate")[:2] == (5, 9)
    # handled: NT01 6, NT02 2, NT 1 (in progress: 29 Apr = 1 day)
    assert metric(con, "NT", "month", "2025-04-01", "on_time_rate")[:2] == (4 + 1 + 1, 9)
    # the quantiles merge the wards' histograms: 1, 2, 5, 5, 7, 9
    assert metric(con, "NT", "month", "2025-04-01", "processing_wd_avg") == (None, 6, pytest.approx(29 / 6))
    assert metric(con, "NT", "month", "2025-04-01", "processing_wd_median") == (None, 6, 5.0)
    assert metric(con, "NT", "month", "2025-04-01", "processing_wd_p90") == (None, 6, pytest.approx(8.0))
    # the province adds the department's 1 day: 1, 1, 2, 5, 5, 7, 9
    assert metric(con, "KH", "month", "2025-04-01", "processing_wd_median") == (None, 7, 5.0)
    assert metric(con, "KH", "month", "2025-04-01", "processing_wd_p90") == (None, 7, pytest.approx(7.8))


def test_catalogue_metrics_by_owning_unit_subtree(con):
    # P5 (NT01: eligible, level 4, 10 → 6 fields), P0 (NT: eligible, level 3, 5 → 4),
    # P10 (SO: not eligible, no baseline), PX (no owner: eligible, level 4, 3 → 3)
    add_april_dossiers(con)
    build_model(con, "2025-04-30")
    expected = {
        "NT01": ((1, 1, 1.0), (4, 10, 0.4)),
        "NT": ((1, 2, 0.5), (5, 15, pytest.approx(5 / 15))),
        "KH": ((2, 3, pytest.approx(2 / 3)), (5, 18, pytest.approx(5 / 18))),
        "SO": ((0, 0, None), (0, 0, None)),
        "NT02": ((0, 0, None), (0, 0, None)),
    }
    for unit, (full_online, reduction) in expected.items():
        for period in [("month", "2025-03-01"), ("month", "2025-04-01"), ("year", "2025-01-01")]:
            assert metric(con, unit, *period, "full_online_procedure_rate") == full_online, unit
            assert metric(con, unit, *period, "declared_info_reduction") == reduction, unit


def test_no_period_when_no_dossier_was_accepted(con):
    add_dossier(con, "HS-1", status=3, received_at="2025-04-03 08:00")
    summary = build_model(con, "2025-04-30")["unit_metrics"]
    assert summary["rows"] == 0
