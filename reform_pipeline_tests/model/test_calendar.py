"""docs/spec §4.1: the working-day calendar."""

import datetime as dt

import pytest

from reform_pipeline.model.calendar import (
    CalendarOverride,
    CalendarSpanError,
    calendar_days,
    calendar_span,
)

from .staging_tables import add_dossier, add_override, build_model, day, wd


def _days(start, end, overrides=()):
    return {d.date: d for d in calendar_days(dt.date.fromisoformat(start), dt.date.fromisoformat(end), overrides)}


def test_tet_2025_is_not_working_time():
    days = _days("2025-01-20", "2025-02-09")
    for date in ["2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31"]:
        assert days[dt.date.fromisoformat(date)].is_working_day is False
        assert days[dt.date.fromisoformat(date)].source == "holiday"
    assert days[dt.date(2025, 1, 24)].is_working_day is True  # Friday before Tết
    assert days[dt.date(2025, 2, 3)].is_working_day is True  # Monday after Tết


def test_2025_swap_saturday_26_april_works_and_friday_2_may_does_not():
    days = _days("2025-04-20", "2025-05-10")
    assert days[dt.date(2025, 4, 26)].is_working_day is True
    assert days[dt.date(2025, 4, 26)].source == "make_up_day"
    assert days[dt.date(2025, 4, 26)].note == "Ngày làm bù"
    assert days[dt.date(2025, 5, 2)].is_working_day is False
    assert days[dt.date(2025, 5, 2)].source == "holiday"
    # 30 April and 1 May are public holidays, the Saturday after is an ordinary weekend day
    assert days[dt.date(2025, 4, 30)].is_working_day is False
    assert days[dt.date(2025, 5, 1)].is_working_day is False
    assert days[dt.date(2025, 5, 3)].is_working_day is False
    assert days[dt.date(2025, 5, 3)].source == "weekend"


def test_hung_kings_day_7_april_2025_is_not_working_time():
    days = _days("2025-04-01", "2025-04-10")
    assert days[dt.date(2025, 4, 7)].is_working_day is False
    assert days[dt.date(2025, 4, 7)].source == "holiday"
    assert days[dt.date(2025, 4, 7)].note == "Ngày Giỗ Tổ Hùng Vương"
    assert days[dt.date(2025, 4, 8)].is_working_day is True


def test_override_from_calendar_file_wins():
    overrides = [
        CalendarOverride(dt.date(2025, 6, 2), False, "Nghỉ bù theo quyết định của tỉnh"),
        CalendarOverride(dt.date(2025, 6, 7), True, "Làm việc thứ Bảy"),
        CalendarOverride(dt.date(2025, 4, 7), True, None),
    ]
    days = _days("2025-04-01", "2025-06-30", overrides)
    assert days[dt.date(2025, 6, 2)] == (dt.date(2025, 6, 2), False, "override", "Nghỉ bù theo quyết định của tỉnh")
    assert days[dt.date(2025, 6, 7)] == (dt.date(2025, 6, 7), True, "override", "Làm việc thứ Bảy")
    assert days[dt.date(2025, 4, 7)] == (dt.date(2025, 4, 7), True, "override", None)


def test_ordinary_days():
    days = _days("2025-06-09", "2025-06-15")
    assert [days[d].is_working_day for d in sorted(days)] == [True] * 5 + [False] * 2
    assert [days[d].source for d in sorted(days)] == ["weekday"] * 5 + ["weekend"] * 2


def test_calendar_span_covers_the_data_and_the_longest_deadline():
    # 30 working days ≈ 42 calendar days, plus 60 days of margin after; 31 days before
    span = calendar_span(dt.date(2025, 1, 10), dt.date(2025, 3, 1), dt.date(2025, 2, 1), 30)
    assert span == (dt.date(2024, 12, 10), dt.date(2025, 6, 11))


def test_calendar_span_reaches_an_as_of_date_after_the_data():
    span = calendar_span(dt.date(2025, 1, 10), dt.date(2025, 3, 1), dt.date(2025, 12, 31), 0)
    assert span == (dt.date(2024, 12, 10), dt.date(2026, 3, 1))


def test_calendar_span_without_any_dossier_is_around_the_as_of_date():
    span = calendar_span(None, None, dt.date(2025, 5, 15), None)
    assert span == (dt.date(2025, 4, 14), dt.date(2025, 7, 14))


@pytest.mark.parametrize(
    "first, last",
    [
        (dt.date(1, 1, 1), dt.date(2025, 1, 1)),
        (dt.date(2025, 1, 1), dt.date(9999, 12, 31)),
        (dt.date(9999, 12, 1), dt.date(9999, 12, 31)),
        (dt.date(1, 1, 1), dt.date(1, 1, 5)),
    ],
)
def test_absurd_dates_are_refused_not_looped_over(first, last):
    with pytest.raises(CalendarSpanError):
        calendar_span(first, last, dt.date(2025, 5, 15), 10)


def test_model_calendar_counts_working_days(con):
    add_dossier(con, "HS-1", received_at="2025-01-20 08:00", finished_at="2025-02-03 10:00")
    add_override(con, "2025-02-04", False, "Nghỉ theo quyết định của tỉnh")
    summary = build_model(con, "2025-02-10")["calendar"]
    assert summary["first_date"] == "2024-12-20"
    assert summary["overrides_applied"] == 1
    # Tết: Friday 24 January to Monday 3 February is one working day
    assert wd(con, "2025-01-24", "2025-02-03") == 1
    assert wd(con, "2025-02-03", "2025-01-24") == 0
    assert wd(con, "2025-02-03", "2025-02-03") == 0
    # the override: Tuesday 4 February does not count
    assert day(con, "2025-02-04")[:3] == (False, "override", "Nghỉ theo quyết định của tỉnh")
    assert wd(con, "2025-02-03", "2025-02-05") == 1
    # wd_index counts up to and including the date
    assert day(con, "2025-02-05")[3] - day(con, "2025-02-02")[3] == 2
