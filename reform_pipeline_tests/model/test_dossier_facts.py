"""docs/spec §4.2: dossier-level facts at t = the as-of date (model.dossier_facts).

Every dossier uses procedure P5 (5 working days) unless it says otherwise. The as-of date is
Thursday 15 May 2025. April–May 2025: Monday 7 April (Hùng Kings) and 30 April – 2 May are
holidays, Saturday 26 April is a make-up working day.
"""

import datetime as dt

import pytest

from .staging_tables import add_dossier, build_model, fact

AS_OF = "2025-05-15"
D = dt.date.fromisoformat

FACT_COLUMNS = [
    "dossier_id", "procedure_code", "agency_code", "current_agency_code", "channel", "service_level", "status",
    "received_date", "due_date", "end_date", "fee_amount", "paid_online", "digitized_components",
    "result_attached", "rating", "complaint", "elapsed_wd", "allowed_wd", "outcome",
]


def timing(row):
    return row["due_date"], row["end_date"], row["elapsed_wd"], row["allowed_wd"], row["outcome"]


def test_columns_are_those_of_spec_section_5_and_hold_no_personal_data(con):
    add_dossier(con, "HS-1", received_at="2025-04-08 09:00", finished_at="2025-04-08 15:00")
    build_model(con, AS_OF)
    columns = [r[0] for r in con.execute("DESCRIBE model.dossier_facts").fetchall()]
    assert columns == FACT_COLUMNS
    assert not any(column.startswith("applicant") for column in columns)


def test_same_day_finish_took_zero_working_days(con):
    add_dossier(con, "HS-1", received_at="2025-04-08 09:00", finished_at="2025-04-08 15:00")
    build_model(con, AS_OF)
    # due: the 5th working day after Tue 8 April is Tue 15 April
    assert timing(fact(con, "HS-1")) == (D("2025-04-15"), D("2025-04-08"), 0, 5, "early")


def test_friday_to_monday_is_one_working_day(con):
    add_dossier(con, "HS-1", received_at="2025-04-11 16:30", finished_at="2025-04-14 08:00")
    build_model(con, AS_OF)
    assert fact(con, "HS-1")["elapsed_wd"] == 1


def test_make_up_saturday_counts(con):
    # Fri 25 April → Mon 28 April: Saturday 26 April is worked
    add_dossier(con, "HS-1", received_at="2025-04-25 10:00", finished_at="2025-04-28 10:00")
    build_model(con, AS_OF)
    assert fact(con, "HS-1")["elapsed_wd"] == 2


def test_supplement_pause_is_not_counted(con):
    # received Tue 1 Apr, supplement asked Thu 3 Apr, answered Tue 8 Apr, finished Thu 10 Apr.
    # wd(1 Apr, 10 Apr) = 6 (2, 3, 4, 8, 9, 10: 7 April is Hùng Kings day)
    # pause = wd(3 Apr, 8 Apr) = 2 (4, 8)
    add_dossier(
        con, "HS-1", received_at="2025-04-01 08:00", supplement_requested_at="2025-04-03 09:00",
        supplement_received_at="2025-04-08 14:00", finished_at="2025-04-10 16:00",
    )
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-1")) == (D("2025-04-09"), D("2025-04-10"), 4, 5, "early")


def test_unanswered_supplement_stops_the_clock_at_the_request(con):
    # finished later without the answer: the clock stopped on Fri 4 April anyway
    add_dossier(
        con, "HS-finished", received_at="2025-04-01 08:00",
        supplement_requested_at="2025-04-04 09:00", finished_at="2025-04-25 10:00",
    )
    # still waiting for the citizen at the as-of date
    add_dossier(
        con, "HS-waiting", status=5, received_at="2025-04-01 08:00",
        supplement_requested_at="2025-04-04 09:00",
    )
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-finished")) == (D("2025-04-09"), D("2025-04-04"), 3, 5, "early")
    assert timing(fact(con, "HS-waiting")) == (D("2025-04-09"), D("2025-04-04"), 3, 5, "in_progress")


def test_two_supplement_requests_make_a_dossier_late_or_overdue(con):
    # 1 working day of work only, but two requests
    add_dossier(
        con, "HS-finished", received_at="2025-04-01 08:00", supplement_count=2,
        supplement_requested_at="2025-04-02 09:00", supplement_received_at="2025-04-03 09:00",
        finished_at="2025-04-03 15:00",
    )
    add_dossier(con, "HS-open", status=4, received_at="2025-05-14 08:00", supplement_count=2)
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-finished")) == (D("2025-04-09"), D("2025-04-03"), 1, 5, "late")
    assert timing(fact(con, "HS-open")) == (D("2025-05-21"), D("2025-05-15"), 1, 5, "overdue")


def test_missing_due_date_comes_from_processing_days(con):
    # 5 working days after Fri 24 Jan 2025, across Tết (27 Jan – 1 Feb): 3, 4, 5, 6, 7 Feb
    add_dossier(con, "HS-1", received_at="2025-01-24 10:00", finished_at="2025-02-06 10:00")
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-1")) == (D("2025-02-07"), D("2025-02-06"), 4, 5, "early")


def test_due_at_wins_over_processing_days(con):
    # due Thu 10 April: allowed = wd(1 Apr, 10 Apr) = 6, although the procedure says 5
    add_dossier(
        con, "HS-1", received_at="2025-04-01 08:00", due_at="2025-04-10 17:00",
        finished_at="2025-04-10 10:00",
    )
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-1")) == (D("2025-04-10"), D("2025-04-10"), 6, 6, "on_time")


def test_processing_days_zero_is_due_the_day_it_is_received(con):
    # received on Saturday 12 April: due that same day; finished Monday 14 April
    add_dossier(con, "HS-late", procedure_code="P0", received_at="2025-04-12 09:00", finished_at="2025-04-14 09:00")
    add_dossier(con, "HS-on-time", procedure_code="P0", received_at="2025-04-14 09:00", finished_at="2025-04-14 11:00")
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-late")) == (D("2025-04-12"), D("2025-04-14"), 1, 0, "late")
    assert timing(fact(con, "HS-on-time")) == (D("2025-04-14"), D("2025-04-14"), 0, 0, "on_time")


def test_open_dossiers_in_progress_and_overdue(con):
    # Mon 12 May → Thu 15 May: 3 working days of 5
    add_dossier(con, "HS-in-progress", status=4, received_at="2025-05-12 08:00")
    # Mon 28 Apr → Thu 15 May: 29 Apr, 5–9 May, 12–15 May = 10 working days
    add_dossier(con, "HS-overdue", status=4, received_at="2025-04-28 08:00")
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-in-progress")) == (D("2025-05-19"), D("2025-05-15"), 3, 5, "in_progress")
    assert timing(fact(con, "HS-overdue")) == (D("2025-05-08"), D("2025-05-15"), 10, 5, "overdue")


def test_dossier_finished_after_the_as_of_date_is_open_at_it(con):
    # status 9 in the data, but finished on 20 May: at 15 May it was open
    add_dossier(con, "HS-1", status=9, procedure_code="P10", received_at="2025-05-05 08:00", finished_at="2025-05-20 08:00")
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-1")) == (D("2025-05-19"), D("2025-05-15"), 8, 10, "in_progress")


def test_returned_at_stands_in_for_an_empty_finished_at(con):
    add_dossier(con, "HS-1", status=10, received_at="2025-04-01 08:00", returned_at="2025-04-04 10:00")
    build_model(con, AS_OF)
    assert timing(fact(con, "HS-1")) == (D("2025-04-09"), D("2025-04-04"), 3, 5, "early")


@pytest.mark.parametrize(
    "status, received_at, outcome",
    [
        (7, "2025-04-02 08:00", "withdrawn"),
        (3, "2025-04-02 08:00", "not_accepted"),
        (1, None, "not_accepted"),
        # received after the as-of date: not yet accepted at t
        (10, "2025-05-20 08:00", "not_accepted"),
    ],
)
def test_withdrawn_and_not_accepted_dossiers_have_no_timing(con, status, received_at, outcome):
    add_dossier(con, "HS-1", status=status, received_at=received_at, finished_at="2025-05-21 08:00" if status == 10 else None)
    build_model(con, AS_OF)
    row = fact(con, "HS-1")
    assert timing(row) == (None, None, None, None, outcome)
    assert row["received_date"] == (D(received_at[:10]) if received_at else None)


def test_latest_attributes_are_published(con):
    add_dossier(
        con, "HS-1", channel=2, service_level=4, fee_amount=50000, paid_online=2,
        digitized_components=True, result_attached=True, rating=3, complaint=True,
        received_at="2025-04-08 09:00", finished_at="2025-04-09 15:00",
    )
    build_model(con, AS_OF)
    row = fact(con, "HS-1")
    assert (row["channel"], row["service_level"], row["fee_amount"], row["paid_online"]) == (2, 4, 50000, 2)
    assert (row["digitized_components"], row["result_attached"], row["rating"], row["complaint"]) == (True, True, 3, True)
    assert (row["procedure_code"], row["agency_code"], row["status"]) == ("P5", "NT01", 10)
