"""The working-day calendar the generator sets due dates and finish dates with (docs/spec §4.1).

The same rule as the pipeline's: Monday–Friday that are not public holidays, plus the make-up
Saturdays, from the ``holidays`` package, then the overrides of calendar.csv. Days are handled
as integer indices from ``first`` so that whole chunks of dossiers can be moved by working days
with numpy alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
import numpy as np

# The overrides shipped in calendar.csv (docs/spec §2.4): (date, is_working_day, note).
# The Government's day swap for New Year 2026 was decided on 25 December 2025, after the
# ``holidays`` release the project pins, and it moves the due dates of dossiers received in the
# last days of 2025.
OVERRIDES: list[tuple[dt.date, bool, str]] = [
    (dt.date(2026, 1, 2), False,
     "Nghỉ Tết Dương lịch 2026: Chính phủ đồng ý hoán đổi ngày làm việc thứ Sáu 02/01/2026 "
     "sang thứ Bảy 10/01/2026 (Bộ Nội vụ thông báo ngày 25/12/2025)"),
    (dt.date(2026, 1, 10), True,
     "Làm bù cho ngày thứ Sáu 02/01/2026 (hoán đổi ngày làm việc dịp Tết Dương lịch 2026)"),
]


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
