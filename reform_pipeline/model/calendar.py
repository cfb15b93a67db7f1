"""The working-day calendar (docs/spec §4.1), in plain Python.

A date is a working day if it is Monday–Friday and not a public holiday, or a make-up Saturday
(ngày làm bù) from the ``holidays`` package's ``weekend_workdays``; then the overrides of docs/spec §2.4
(``staging.calendar_overrides``) win. The SQL side only adds the running count ``wd_index``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import holidays

# Where a day's working status comes from (model.calendar.source).
SOURCE_WEEKDAY = "weekday"
SOURCE_WEEKEND = "weekend"
SOURCE_HOLIDAY = "holiday"  # ngày lễ, Tết
SOURCE_MAKE_UP_DAY = "make_up_day"  # ngày làm bù
SOURCE_OVERRIDE = "override"  # docs/spec §2.4

MAKE_UP_DAY_NOTE = "Ngày làm bù"

# The span of the calendar around the data (docs/spec §4.1 is needed from the first received date to
# the latest due date). Before: a small margin. After: enough calendar days for the longest
# statutory deadline (processing_days working days ≈ × 7/5 calendar days) plus Tết and slack.
MARGIN_BEFORE_DAYS = 31
MARGIN_AFTER_DAYS = 60
# Ingestion keeps timestamps in a plausible window; a span longer than this can only come from
# hostile input, and we refuse it rather than generate millions of dates.
MAX_SPAN_DAYS = 200 * 366


class CalendarSpanError(ValueError):
    """The dates in the data would need an absurdly long calendar."""


class CalendarDay(NamedTuple):
    date: dt.date
    is_working_day: bool
    source: str
    note: str | None


class CalendarOverride(NamedTuple):
    date: dt.date
    is_working_day: bool
    note: str | None


def calendar_span(
    first_data_date: dt.date | None,
    last_data_date: dt.date | None,
    as_of: dt.date,
    max_processing_days: int | None,
) -> tuple[dt.date, dt.date]:
    """First and last date of the calendar: the data and the as-of date, plus margins.

    The end leaves room for a due date computed from the longest ``processing_days`` (docs/spec §4.2).
    """
    first = min(d for d in (first_data_date, as_of) if d is not None)
    last = max(d for d in (last_data_date, as_of) if d is not None)
    after = math.ceil(max(max_processing_days or 0, 0) * 7 / 5) + MARGIN_AFTER_DAYS
    span_days = (last - first).days + MARGIN_BEFORE_DAYS + after
    if span_days > MAX_SPAN_DAYS:
        raise CalendarSpanError(
            f"the dossier dates run from {first} to {last} (longest processing_days "
            f"{max_processing_days}): a working-day calendar of {span_days} days is not plausible"
        )
    try:
        return first - dt.timedelta(days=MARGIN_BEFORE_DAYS), last + dt.timedelta(days=after)
    except OverflowError:
        raise CalendarSpanError(
            f"the dossier dates {first} … {last} leave no room for the calendar margins"
        ) from None


def calendar_days(
    start: dt.date, end: dt.date, overrides: Iterable[CalendarOverride] = ()
) -> Iterator[CalendarDay]:
    """Every date from ``start`` to ``end`` inclusive with its working status (docs/spec §4.1)."""
    if end < start:
        return
    if (end - start).days > MAX_SPAN_DAYS:
        raise CalendarSpanError(f"a calendar from {start} to {end} is not plausible")
    public = holidays.country_holidays("VN", years=range(start.year, end.year + 1), language="vi")
    make_up_days = {d for d in public.weekend_workdays if start <= d <= end}
    by_date = {o.date: o for o in overrides}
    day = start
    while day <= end:
        override = by_date.get(day)
        if override is not None:
            yield CalendarDay(day, bool(override.is_working_day), SOURCE_OVERRIDE, override.note)
        elif day in make_up_days:
            yield CalendarDay(day, True, SOURCE_MAKE_UP_DAY, MAKE_UP_DAY_NOTE)
        elif day in public:
            yield CalendarDay(day, False, SOURCE_HOLIDAY, public.get(day))
        elif day.weekday() >= 5:
            yield CalendarDay(day, False, SOURCE_WEEKEND, None)
        else:
            yield CalendarDay(day, True, SOURCE_WEEKDAY, None)
        day += dt.timedelta(days=1)
