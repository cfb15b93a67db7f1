"""The working-day calendar (docs/spec §4.1), in plain Python.

A date is a working day if it is Monday–Friday and not a public holiday, or a make-up Saturday
(ngày làm bù) from the ``holidays`` package's ``weekend_workdays``. Three layers, each winning over
the one before:

1. the ``holidays`` package (Vietnam);
2. the pipeline's built-in decisions, ``reform_pipeline/catalogue/calendar_decisions.csv``: the
   government's yearly day swaps that the pinned ``holidays`` release does not know yet, one row
   per day with the document that decided it (source ``decision``);
3. the overrides of docs/spec §2.4 (``staging.calendar_overrides``, the ``calendar*`` files).

The SQL side only adds the running count ``wd_index``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import NamedTuple

import holidays

# Where a day's working status comes from (model.calendar.source).
SOURCE_WEEKDAY = "weekday"
SOURCE_WEEKEND = "weekend"
SOURCE_HOLIDAY = "holiday"  # ngày lễ, Tết
SOURCE_MAKE_UP_DAY = "make_up_day"  # ngày làm bù
SOURCE_DECISION = "decision"  # a built-in government decision (calendar_decisions.csv)
SOURCE_OVERRIDE = "override"  # docs/spec §2.4

MAKE_UP_DAY_NOTE = "Ngày làm bù"

# The built-in decisions ship inside the package, next to the metric catalogue (covered by the
# package data pattern ``catalogue/*.csv``).
DECISIONS_PACKAGE = "reform_pipeline.catalogue"
DECISIONS_FILE = "calendar_decisions.csv"
DECISION_COLUMNS = ("date", "is_working_day", "document", "issued", "note_vi", "note_en")

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


class CalendarDecision(NamedTuple):
    """One day of a government decision the ``holidays`` package does not know yet."""

    date: dt.date
    is_working_day: bool
    document: str  # e.g. 12729/VPCP-KGVX
    issued: dt.date
    note_vi: str
    note_en: str

    @property
    def note(self) -> str:
        """model.calendar.note: what the day is, and the document that made it."""
        return f"{self.note_vi} — văn bản {self.document} ngày {self.issued:%d/%m/%Y}"


class CalendarDecisionsError(ValueError):
    """The built-in decisions file is malformed (a packaging or editing mistake)."""


def parse_decisions(text: str, name: str = DECISIONS_FILE) -> tuple[CalendarDecision, ...]:
    """The rows of a decisions file; every problem is named, and any one stops the load."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != DECISION_COLUMNS:
        raise CalendarDecisionsError(
            f"{name}: the header must be {','.join(DECISION_COLUMNS)}, not {','.join(reader.fieldnames or ())}"
        )
    decisions: list[CalendarDecision] = []
    problems: list[str] = []
    seen: set[dt.date] = set()
    for line, row in enumerate(reader, start=2):
        try:
            date = dt.date.fromisoformat(row["date"].strip())
            issued = dt.date.fromisoformat(row["issued"].strip())
        except (ValueError, AttributeError):
            problems.append(f"line {line}: date and issued must be YYYY-MM-DD")
            continue
        flag = (row["is_working_day"] or "").strip()
        document = (row["document"] or "").strip()
        note_vi, note_en = (row["note_vi"] or "").strip(), (row["note_en"] or "").strip()
        if flag not in ("0", "1"):
            problems.append(f"line {line}: is_working_day must be 0 or 1, not {flag!r}")
        if not document:
            problems.append(f"line {line}: no document: every day names the decision that made it")
        if not note_vi or not note_en:
            problems.append(f"line {line}: note_vi and note_en are both required")
        if date in seen:
            problems.append(f"line {line}: {date} is listed twice")
        seen.add(date)
        decisions.append(CalendarDecision(date, flag == "1", document, issued, note_vi, note_en))
    if problems:
        raise CalendarDecisionsError(f"{name}: " + "; ".join(problems))
    return tuple(sorted(decisions))


@functools.cache
def builtin_decisions() -> tuple[CalendarDecision, ...]:
    """The decisions shipped with the pipeline (``catalogue/calendar_decisions.csv``)."""
    text = resources.files(DECISIONS_PACKAGE).joinpath(DECISIONS_FILE).read_text(encoding="utf-8")
    return parse_decisions(text)


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
    start: dt.date,
    end: dt.date,
    overrides: Iterable[CalendarOverride] = (),
    decisions: Iterable[CalendarDecision] | None = None,
) -> Iterator[CalendarDay]:
    """Every date from ``start`` to ``end`` inclusive with its working status (docs/spec §4.1).

    ``decisions`` defaults to the built-in ones; the ``overrides`` win over them.
    """
    if end < start:
        return
    if (end - start).days > MAX_SPAN_DAYS:
        raise CalendarSpanError(f"a calendar from {start} to {end} is not plausible")
    public = holidays.country_holidays("VN", years=range(start.year, end.year + 1), language="vi")
    make_up_days = {d for d in public.weekend_workdays if start <= d <= end}
    by_date = {o.date: o for o in overrides}
    decided = {d.date: d for d in (builtin_decisions() if decisions is None else decisions)}
    day = start
    while day <= end:
        override = by_date.get(day)
        decision = decided.get(day)
        if override is not None:
            yield CalendarDay(day, bool(override.is_working_day), SOURCE_OVERRIDE, override.note)
        elif decision is not None:
            yield CalendarDay(day, decision.is_working_day, SOURCE_DECISION, decision.note)
        elif day in make_up_days:
            yield CalendarDay(day, True, SOURCE_MAKE_UP_DAY, MAKE_UP_DAY_NOTE)
        elif day in public:
            yield CalendarDay(day, False, SOURCE_HOLIDAY, public.get(day))
        elif day.weekday() >= 5:
            yield CalendarDay(day, False, SOURCE_WEEKEND, None)
        else:
            yield CalendarDay(day, True, SOURCE_WEEKDAY, None)
        day += dt.timedelta(days=1)
