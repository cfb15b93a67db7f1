"""docs/spec §4.1: the working-day calendar."""

import csv
import datetime as dt
import re
from importlib import resources

import holidays
import pytest

from reform_pipeline.model.calendar import (
    DECISION_COLUMNS,
    DECISIONS_FILE,
    DECISIONS_PACKAGE,
    CalendarDecisionsError,
    CalendarOverride,
    CalendarSpanError,
    builtin_decisions,
    calendar_days,
    calendar_span,
    parse_decisions,
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


# The built-in decisions (docs/spec §4.1, layer 2): the government's day swaps that the pinned
# ``holidays`` release does not know yet.

DECREE_12729_NOTE_END = "văn bản 12729/VPCP-KGVX ngày 25/12/2025"


@pytest.mark.parametrize(
    "date, is_working_day, note",
    [
        pytest.param(
            dt.date(2026, 1, 2), False,
            "Nghỉ Tết Dương lịch 2026: hoán đổi ngày làm việc thứ Sáu 02/01/2026 sang thứ Bảy 10/01/2026"
            " — văn bản 12729/VPCP-KGVX ngày 25/12/2025",
            id="friday_2_january_2026_is_a_day_off",
        ),
        pytest.param(
            dt.date(2026, 1, 10), True,
            "Làm bù cho ngày thứ Sáu 02/01/2026 (hoán đổi ngày làm việc dịp Tết Dương lịch 2026)"
            " — văn bản 12729/VPCP-KGVX ngày 25/12/2025",
            id="saturday_10_january_2026_is_worked",
        ),
    ],
)
def test_the_2026_swap_days_are_decided_by_12729_vpcp_kgvx(date, is_working_day, note):
    swapped = _days("2025-12-29", "2026-01-12")[date]
    assert swapped.is_working_day is is_working_day
    assert swapped.source == "decision"
    assert swapped.note == note


def test_the_days_around_the_2026_swap_keep_their_usual_source():
    days = _days("2025-12-29", "2026-01-12")
    assert days[dt.date(2026, 1, 1)][1:3] == (False, "holiday")  # Tết Dương lịch, from the library
    assert days[dt.date(2026, 1, 3)][1:3] == (False, "weekend")
    assert days[dt.date(2026, 1, 5)][1:3] == (True, "weekday")
    assert days[dt.date(2026, 1, 11)][1:3] == (False, "weekend")


def test_a_calendar_file_override_still_wins_over_a_built_in_decision():
    # a province keeps Friday 2 January 2026 as a working day and does not work Saturday 10 January
    overrides = [
        CalendarOverride(dt.date(2026, 1, 2), True, "Tỉnh làm việc bình thường"),
        CalendarOverride(dt.date(2026, 1, 10), False, None),
    ]
    days = _days("2025-12-29", "2026-01-12", overrides)
    assert days[dt.date(2026, 1, 2)] == (dt.date(2026, 1, 2), True, "override", "Tỉnh làm việc bình thường")
    assert days[dt.date(2026, 1, 10)] == (dt.date(2026, 1, 10), False, "override", None)


def test_every_row_of_the_decisions_file_names_its_document():
    text = resources.files(DECISIONS_PACKAGE).joinpath(DECISIONS_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert rows, "the decisions file is empty"
    for row in rows:
        assert tuple(row) == DECISION_COLUMNS
        # a document number such as 12729/VPCP-KGVX or 1234/QĐ-TTg
        assert re.fullmatch(r"\d+/[A-ZĐ][A-Za-zĐđ-]*", row["document"]), row
        assert dt.date.fromisoformat(row["issued"]) <= dt.date.fromisoformat(row["date"]), row
        assert row["note_vi"] and row["note_en"], row
        assert row["is_working_day"] in ("0", "1"), row
    assert len({row["date"] for row in rows}) == len(rows), "one row per decision day"


def test_every_decision_changes_what_the_library_says():
    """When a ``holidays`` upgrade learns a decided day, this fails: that row may then go
    (docs/operating.md, "Next year's calendar decision")."""
    decisions = builtin_decisions()
    years = range(min(d.date.year for d in decisions), max(d.date.year for d in decisions) + 1)
    public = holidays.country_holidays("VN", years=years)
    for decision in decisions:
        library_says = decision.date in public.weekend_workdays or (
            decision.date.weekday() < 5 and decision.date not in public
        )
        assert library_says != decision.is_working_day, f"holidays {holidays.__version__} knows {decision}"


def test_the_2026_decisions_ship_with_the_pipeline():
    assert [(d.date, d.is_working_day, d.document, d.issued) for d in builtin_decisions()
            if d.date.year == 2026] == [
        (dt.date(2026, 1, 2), False, "12729/VPCP-KGVX", dt.date(2025, 12, 25)),
        (dt.date(2026, 1, 10), True, "12729/VPCP-KGVX", dt.date(2025, 12, 25)),
    ]


def test_a_decisions_file_without_a_document_is_refused():
    text = "date,is_working_day,document,issued,note_vi,note_en\n2027-01-04,0,,2026-12-20,Nghỉ,Off\n"
    with pytest.raises(CalendarDecisionsError, match="line 2: no document"):
        parse_decisions(text)


def test_model_calendar_counts_the_2026_swap(con):
    # received Wednesday 31 December 2025, finished Monday 5 January 2026: Thursday 1 January is
    # Tết Dương lịch, Friday 2 January is off by 12729/VPCP-KGVX, 3–4 January are the weekend,
    # so only Monday 5 January counts
    add_dossier(con, "HS-1", received_at="2025-12-31 08:00", finished_at="2026-01-05 10:00")
    summary = build_model(con, "2026-01-20")["calendar"]
    assert wd(con, "2025-12-31", "2026-01-05") == 1
    # Friday 9 to Monday 12 January 2026: Saturday 10 is worked, so 2
    assert wd(con, "2026-01-09", "2026-01-12") == 2
    assert day(con, "2026-01-02")[:3] == (False, "decision", "Nghỉ Tết Dương lịch 2026: hoán đổi ngày làm việc "
                                          "thứ Sáu 02/01/2026 sang thứ Bảy 10/01/2026 — " + DECREE_12729_NOTE_END)
    assert day(con, "2026-01-10")[:2] == (True, "decision")
    assert summary["days_by_source"]["decision"] == 2
    assert summary["overrides_applied"] == 0


def test_model_calendar_lets_a_calendar_file_undo_the_2026_swap(con):
    add_dossier(con, "HS-1", received_at="2025-12-31 08:00", finished_at="2026-01-05 10:00")
    add_override(con, "2026-01-02", True, "Tỉnh làm việc bình thường")
    build_model(con, "2026-01-20")
    assert day(con, "2026-01-02")[:3] == (True, "override", "Tỉnh làm việc bình thường")
    assert wd(con, "2025-12-31", "2026-01-05") == 2
