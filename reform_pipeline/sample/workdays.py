"""The working-day calendar the generator sets due dates and finish dates with (docs/spec §4.1).

The same rule as the pipeline's: Monday–Friday that are not public holidays, plus the make-up
Saturdays, from the ``holidays`` package, then the government's decisions that the package does
not know yet, read from the pipeline's own built-in list
(``reform_pipeline/catalogue/calendar_decisions.csv``; for 2026: Friday 2 January off, Saturday
10 January worked). Days are handled as integer indices from ``first`` so that whole chunks of
dossiers can be moved by working days with numpy alone.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import holidays
import numpy as np

DECISIONS = Path(__file__).resolve().parents[1] / "catalogue" / "calendar_decisions.csv"


def _decisions() -> list[tuple[dt.date, bool, str]]:
    """(date, is_working_day, note) of the pipeline's built-in decisions."""
    with DECISIONS.open(encoding="utf-8", newline="") as handle:
        return [(dt.date.fromisoformat(r["date"]), r["is_working_day"] == "1", r["note_vi"])
                for r in csv.DictReader(handle)]


OVERRIDES: list[tuple[dt.date, bool, str]] = _decisions()


@dataclass(frozen=True)
class WorkCalendar:
    """Days ``first`` … ``first + len(working) - 1`` with their working-day flags and counts."""

    first: dt.date
    working: np.ndarray
    """bool per day."""
    wd_index: np.ndarray
    """Working days up to and including each day, so wd(a, b) = wd_index[b] - wd_index[a]."""
    workdays: np.ndarray
    """Day index of the k-th working day (0-based k)."""

    @classmethod
    def build(cls, first: dt.date, last: dt.date,
              overrides: list[tuple[dt.date, bool, str]] = OVERRIDES) -> "WorkCalendar":
        years = range(first.year, last.year + 1)
        vn = holidays.country_holidays("VN", years=years)
        makeup = set(getattr(vn, "weekend_workdays", ()))
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        working = np.array([(d.weekday() < 5 and d not in vn) or d in makeup for d in days])
        for day, flag, _ in overrides:
            if first <= day <= last:
                working[(day - first).days] = flag
        wd_index = np.cumsum(working)
        return cls(first, working, wd_index, np.flatnonzero(working))

    def index(self, day: dt.date) -> int:
        return (day - self.first).days

    def date(self, index: int) -> dt.date:
        return self.first + dt.timedelta(days=int(index))

    def add(self, days: np.ndarray, count: np.ndarray) -> np.ndarray:
        """The ``count``-th working day after each day (the day itself when ``count`` is 0)."""
        target = self.wd_index[days] + count
        later = self.workdays[np.maximum(target - 1, 0)]
        return np.where(count > 0, later, days)

    def next_working(self, days: np.ndarray) -> np.ndarray:
        """The first working day strictly after each day."""
        return self.workdays[self.wd_index[days]]

    def weekday(self, days: np.ndarray) -> np.ndarray:
        return (days + self.first.weekday()) % 7

    def makeup_saturday(self, days: np.ndarray) -> np.ndarray:
        return self.working[days] & (self.weekday(days) == 5)
