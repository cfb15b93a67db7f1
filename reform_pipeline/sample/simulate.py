"""Dossier life cycles and the nightly export rows they produce, a chunk of dossiers at a time.

Every dossier gets a receipt day, a receiving unit and a procedure, then the timestamps of the
events of its life: submission, receipt (or rejection), supplement requests and answers, the
wait for fees, withdrawal or stop, finish, return of the result, the citizen's rating or
complaint, a correction of the applicant's phone. Each night's export lists the dossiers that
changed that day, as they stood after their last change of the day; a row is therefore the
dossier's state at the time of one event, and the same dossier re-appears in later exports with
a later ``updated_at``. Events after the last export day are not exported: those dossiers are
still open at the end.

The receiving unit is one alive on the receipt day (docs/spec §2.3): the range is cut where the
tree changes, and in each piece the volume of every unit of the starting tree goes to whoever
holds it then (the unit itself, or its heirs once it has ended), so the province's volume runs on
across a merger. A dossier keeps the unit that received it to its end, even when that unit ended
in the meantime (a dossier open on 2025-06-30 at an old commune finishes there).

Everything is a numpy array over the dossiers of a chunk (a calendar month of receipts), so a
10-million-dossier set costs seconds per month, not a Python loop per row. Time is counted in
seconds from 00:00 of the calendar's first day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import people
from .procedures import COMMUNE, DISTRICT, PROVINCE, SHOWCASE, Procedure
from .units import Unit, provinces, root_of
from .workdays import WorkCalendar

DAY = 86_400
HOUR = 3_600
MAX_LEAD_DAYS = 3
"""Online and postal submissions come at most this many days before their receipt day."""
NEVER = np.iinfo(np.int64).max

# Yearly trends as knots (date, value), interpolated linearly by receipt day, flat outside.
KNOT_DATES = [dt.date(2023, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2025, 12, 31),
              dt.date(2026, 12, 31)]
TRENDS = {
    "online": [0.40, 0.55, 0.68, 0.80, 0.85],          # online submissions where the level allows
    "paid_online": [0.24, 0.38, 0.62, 0.80, 0.86],     # fee-bearing dossiers paid online
    "digitized": [0.30, 0.50, 0.70, 0.88, 0.93],       # intake with digitised components
    "result_attached": [0.40, 0.60, 0.80, 0.95, 0.97],  # electronic result attached
    "late": [0.085, 0.07, 0.055, 0.045, 0.04],         # finished after the statutory time
    "rated": [0.15, 0.25, 0.35, 0.45, 0.50],           # returned dossiers the citizen rated
    "supplement": [0.11, 0.10, 0.095, 0.09, 0.085],   # supplement requested (procedures with a delay)
}
WEEKDAY_VOLUME = np.array([1.15, 1.05, 1.0, 1.0, 0.9, 0.05, 0.01])
REJECTED_ONLINE = 0.02
WITHDRAWN = 0.004
STOPPED = 0.0015
UNANSWERED = 0.04
SECOND_REQUEST = 0.10
NEVER_RETURNED = 0.03
CORRECTED = 0.015
UNSTAMPED_FINISH = 0.03
"""Dossiers returned the day they were finished whose rows carry only the return time."""
RATING_ON_TIME = [0.01, 0.05, 0.34, 0.60]   # P(rating 1..4)
RATING_LATE = [0.15, 0.25, 0.35, 0.25]

COLUMNS = ["dossier_id", "procedure_code", "agency_code", "channel", "service_level", "status",
           "submitted_at", "received_at", "due_at", "finished_at", "returned_at",
           "supplement_requested_at", "supplement_received_at", "supplement_count", "fee_amount",
           "paid_online", "digitized_components", "result_attached", "rating", "complaint",
           "updated_at", "applicant_name", "applicant_id_number", "applicant_phone",
           "applicant_address"]
TIMESTAMP_COLUMNS = [c for c in COLUMNS if c.endswith("_at")]
CODE_COLUMNS = ["channel", "service_level", "status", "supplement_count", "paid_online", "rating"]
FLAG_COLUMNS = ["digitized_components", "result_attached", "complaint"]
SCHEMA = pa.schema(
    [(c, pa.timestamp("s") if c in TIMESTAMP_COLUMNS else pa.int8() if c in CODE_COLUMNS
      else pa.bool_() if c in FLAG_COLUMNS else pa.int64() if c == "fee_amount" else pa.string())
     for c in COLUMNS] + [("export_day", pa.int32()), ("export_set", pa.int8())])
"""The export columns, plus the day of the export a row belongs to and its set of exports (the
receiving unit's province: 0 for the tree's first root, 1.. for a province merged into it)."""


COMMUNE_KINDS = ("commune", "ward")


@dataclass(frozen=True)
class Epoch:
    """Days ``first`` … ``last`` (calendar indices) over which the tree does not change: who
    receives dossiers then, for which procedures, and at what relative volume."""

    first: int
    last: int
    slot_unit: np.ndarray
    """The receiving unit of each slot (a unit receives in one slot per pool it holds)."""
    slot_pool: np.ndarray
    slot_p: np.ndarray
    communes: list[np.ndarray]
    """For each province (root number): its communes and wards alive in the epoch."""


@dataclass
class Context:
    """What every chunk needs: the calendar, the tree and the catalogue as arrays."""

    calendar: WorkCalendar
    start_day: int
    end_day: int
    unit_codes: pa.Array
    unit_root: np.ndarray
    """Each unit's province (root number, 0 for the tree's first root)."""
    unit_place: np.ndarray
    unit_urban: np.ndarray
    epochs: list[Epoch]
    pools: list[tuple[np.ndarray, np.ndarray]]
    proc_codes: pa.Array
    proc_days: np.ndarray
    proc_fee: np.ndarray
    proc_level: np.ndarray
    proc_previous: np.ndarray
    proc_since: np.ndarray
    places: pa.Array
    knots: np.ndarray
    epoch_offset: int
    """Seconds from 1970-01-01 to the calendar's first day."""

    @classmethod
    def build(cls, calendar: WorkCalendar, start_day: int, end_day: int, tree: list[Unit],
              catalogue: list[Procedure]) -> "Context":
        roots = root_of(tree)
        root_numbers = {code: i for i, code in enumerate(provinces(tree))}
        unit_root = np.array([root_numbers[roots[u.code]] for u in tree])
        place = np.array([i if u.kind in COMMUNE_KINDS else -1 for i, u in enumerate(tree)])
        streams, pools = _streams(tree, catalogue)
        return cls(
            calendar=calendar, start_day=start_day, end_day=end_day,
            unit_codes=pa.array([u.code for u in tree]), unit_root=unit_root, unit_place=place,
            unit_urban=np.array([u.place.startswith(("P.", "TT.")) for u in tree]),
            epochs=_epochs(calendar, start_day, end_day, tree, streams, unit_root), pools=pools,
            proc_codes=pa.array([p.code for p in catalogue]),
            proc_days=np.array([p.processing_days for p in catalogue]),
            proc_fee=np.array([p.fee for p in catalogue]),
            proc_level=np.array([p.service_level for p in catalogue]),
            proc_previous=np.array([p.previous_level for p in catalogue]),
            proc_since=np.array([calendar.index(p.level_since) for p in catalogue]),
            places=pa.array([u.place for u in tree]),
            knots=np.array([calendar.index(d) for d in KNOT_DATES]),
            epoch_offset=(calendar.first - dt.date(1970, 1, 1)).days * DAY,
        )

    def trend(self, name: str, days: np.ndarray) -> np.ndarray:
        return np.interp(days, self.knots, TRENDS[name])


def _epochs(calendar: WorkCalendar, start_day: int, end_day: int, tree: list[Unit], streams: list,
            unit_root: np.ndarray) -> list[Epoch]:
    """The range cut where any unit begins or ends; in each piece, every dossier stream of the
    starting tree is received by the unit that holds it then (docs/spec §2.3 lives)."""
    index = {u.code: i for i, u in enumerate(tree)}
    by_code = {u.code: u for u in tree}
    cuts = {start_day, end_day + 1}
    for unit in tree:
        for day in (unit.valid_from, unit.valid_to and unit.valid_to + dt.timedelta(days=1)):
            if day is not None and start_day < calendar.index(day) <= end_day:
                cuts.add(calendar.index(day))
    cuts = sorted(cuts)
    epochs = []
    for first, following in zip(cuts[:-1], cuts[1:]):
        day = calendar.date(first)
        slots: dict[tuple[int, int], float] = {}
        for origin, pool, transferred_pool, weight in streams:
            for holder, share in _holders(by_code, origin, weight, day):
                key = (index[holder], pool if holder == origin else transferred_pool)
                slots[key] = slots.get(key, 0.0) + share
        keys = sorted(slots)
        weights = np.array([slots[k] for k in keys])
        alive = [i for i, u in enumerate(tree) if u.kind in COMMUNE_KINDS and u.alive(day)]
        epochs.append(Epoch(
            first=first, last=following - 1,
            slot_unit=np.array([k[0] for k in keys]), slot_pool=np.array([k[1] for k in keys]),
            slot_p=weights / weights.sum(),
            communes=[np.array([i for i in alive if unit_root[i] == r] or alive)
                      for r in range(int(unit_root.max()) + 1)]))
    return epochs


def _streams(tree: list[Unit], catalogue: list[Procedure]) -> tuple[list, list]:
    """The dossier streams of the tree as it starts, and the pools of procedures they draw from.

    Each unit with a volume is a stream: a department receives its own provincial procedures,
    the service centre any provincial procedure, a district the district-level ones (the
    showcase district also its own), a commune or ward the commune-level ones; the root receives
    none. When the unit ends, its stream goes to its heirs (units.py) and keeps its procedures,
    but for the showcase district's own: an heir of Nha Trang receives the district-level ones.
    Returns the streams as (origin code, pool, pool once transferred, weight) and the pools as
    (procedure indices, probabilities).
    """
    showcase = next(u.code for u in tree if u.kind == "district")
    wanted = {
        "department": lambda u, p: p.level == PROVINCE and p.owner_key in u.keys,
        "center": lambda u, p: p.level == PROVINCE,
        "district": lambda u, p: p.level == DISTRICT or (p.level == SHOWCASE and u.code == showcase),
        "commune": lambda u, p: p.level == COMMUNE,
        "ward": lambda u, p: p.level == COMMUNE,
        "district_heir": lambda u, p: p.level == DISTRICT,
    }
    pools, seen = [], {}

    def pool(unit: Unit, rule: str) -> int:
        members = tuple(i for i, p in enumerate(catalogue) if wanted[rule](unit, p))
        if not members:
            return -1
        if members not in seen:
            weight = np.array([catalogue[i].weight for i in members])
            seen[members] = len(pools)
            pools.append((np.array(members), weight / weight.sum()))
        return seen[members]

    streams = []
    for unit in tree:
        if unit.weight <= 0 or unit.kind not in wanted:
            continue
        own = pool(unit, unit.kind)
        if own >= 0:
            transferred = pool(unit, "district_heir") if unit.kind == "district" else own
            streams.append((unit.code, own, transferred if transferred >= 0 else own, unit.weight))
    return streams, pools


def _holders(by_code: dict[str, Unit], code: str, weight: float, day: dt.date) -> list[tuple[str, float]]:
    """Who holds a stream of ``weight`` started by unit ``code`` on ``day``: the unit while it is
    alive, its heirs (in their shares) once it has ended, nobody before it begins."""
    unit = by_code[code]
    if unit.alive(day):
        return [(code, weight)]
    if unit.valid_to is None or unit.valid_to >= day:
        return []
    return [held for heir, share in unit.heirs for held in _holders(by_code, heir, weight * share, day)]


def day_volumes(calendar: WorkCalendar, start: int, end: int) -> np.ndarray:
    """Relative receipt volume of each day from ``start`` to ``end``.

    Working weekdays carry the weekly pattern (Mondays busiest), make-up Saturdays count as
    full days, other weekends and public holidays see only the odd Saturday-morning desk. The
    fortnight before Tết is busier, the fortnight after quieter; December has a year-end rush;
    volumes grow about 5% a year.
    """
    days = np.arange(start, end + 1)
    weekday = calendar.weekday(days)
    working = calendar.working[days]
    volume = np.where(working & (weekday >= 5), 1.0, WEEKDAY_VOLUME[weekday])
    volume = np.where(~working & (weekday < 5), 0.01, volume)
    dates = [calendar.date(d) for d in days]
    years = np.array([d.year for d in dates])
    months = np.array([d.month for d in dates])
    growth = np.clip(1 + 0.05 * (years - 2024), 0.5, 2.0)
    volume = volume * growth * np.where(months == 12, 1.08, 1.0)
    for first, last in _tet_breaks(calendar, years):
        volume[(days >= first - 14) & (days < first)] *= 1.2
        volume[(days > last) & (days <= last + 7)] *= 0.65
        volume[(days > last + 7) & (days <= last + 14)] *= 0.85
    return volume


def _tet_breaks(calendar: WorkCalendar, years: np.ndarray) -> list[tuple[int, int]]:
    """The Tết break of each year: the longest run of non-working days from 10 January to February."""
    breaks = []
    for year in np.unique(years):
        first = max(calendar.index(dt.date(int(year), 1, 10)), 0)
        last = min(calendar.index(dt.date(int(year), 3, 1)), len(calendar.working))
        best, run_start = None, None
        for d in range(first, last):
            if calendar.working[d]:
                run_start = None
                continue
            run_start = d if run_start is None else run_start
            if best is None or d - run_start > best[1] - best[0]:
                best = (run_start, d)
        if best:
            breaks.append(best)
    return breaks


def _time_of_day(rng: np.random.Generator, n: int, first_hour: float, last_hour: float) -> np.ndarray:
    return (first_hour * HOUR + rng.random(n) * (last_hour - first_hour) * HOUR).astype(np.int64)


def _after(ts: np.ndarray, earlier: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``ts``, moved to a few minutes after ``earlier`` when it would not be later, kept in its day."""
    bumped = earlier + rng.integers(300, 3_600, len(ts))
    end_of_day = (ts // DAY) * DAY + DAY - 1
    return np.where((earlier != NEVER) & (ts != NEVER) & (ts <= earlier),
                    np.minimum(bumped, end_of_day), ts)


def _choose(rng: np.random.Generator, shares: list[float], n: int) -> np.ndarray:
    return rng.choice(len(shares), size=n, p=np.asarray(shares) / sum(shares))


def _when(mask: np.ndarray, day: np.ndarray, tod: np.ndarray) -> np.ndarray:
    return np.where(mask, day.astype(np.int64) * DAY + tod, NEVER)


class Chunk:
    """The dossiers received in one chunk of days and the timestamps of their events."""

    def __init__(self, ctx: Context, receipt_days: np.ndarray, rng: np.random.Generator):
        self.ctx, self.rng, self.n = ctx, rng, len(receipt_days)
        self.rday = receipt_days
        self._pick_unit_and_procedure()
        self._intake()
        self._processing()
        self._outcome()
        self._feedback()

    def _pick_unit_and_procedure(self) -> None:
        """A unit alive on the receipt day, by the volumes of that day's tree, then one of the
        procedures it receives."""
        ctx, rng, n = self.ctx, self.rng, self.n
        self.unit = np.zeros(n, dtype=np.int64)
        pool = np.zeros(n, dtype=np.int64)
        for epoch in ctx.epochs:
            mask = (self.rday >= epoch.first) & (self.rday <= epoch.last)
            if mask.any():
                slot = rng.choice(len(epoch.slot_p), size=int(mask.sum()), p=epoch.slot_p)
                self.unit[mask], pool[mask] = epoch.slot_unit[slot], epoch.slot_pool[slot]
        self.proc = np.zeros(n, dtype=np.int64)
        for pool_id, (members, p) in enumerate(ctx.pools):
            mask = pool == pool_id
            self.proc[mask] = rng.choice(members, size=int(mask.sum()), p=p)
        self.days = ctx.proc_days[self.proc]

    def _intake(self) -> None:
        """Channel, level, submission, receipt or rejection, due date, fee and payment."""
        ctx, rng, n, rday = self.ctx, self.rng, self.n, self.rday
        self.level = np.where(rday >= ctx.proc_since[self.proc], ctx.proc_level[self.proc],
                              ctx.proc_previous[self.proc])
        online = (self.level >= 3) & (rng.random(n) < ctx.trend("online", rday))
        postal = ~online & (rng.random(n) < 0.02)
        self.channel = np.where(online, 2, np.where(postal, 3, 1))
        self.rec_ts = rday.astype(np.int64) * DAY + _time_of_day(rng, n, 7.5, 16.5)
        same_day = rng.random(n) < 0.7
        lag_days = rng.integers(1, MAX_LEAD_DAYS + 1, n)
        early = np.maximum(rday - lag_days, 0).astype(np.int64) * DAY + np.where(
            online, _time_of_day(rng, n, 6, 23.5), _time_of_day(rng, n, 8, 17))
        online_sub = np.where(same_day, self.rec_ts - rng.integers(600, 3 * HOUR, n), early)
        self.sub_ts = np.where(online, np.maximum(online_sub, (rday.astype(np.int64) - MAX_LEAD_DAYS) * DAY),
                               np.where(postal, early, self.rec_ts))
        self.rejected = online & (rng.random(n) < REJECTED_ONLINE)
        self.accepted = ~self.rejected
        self.rej_ts = np.where(self.rejected, self.rec_ts, NEVER)
        self.rec_ts = np.where(self.accepted, self.rec_ts, NEVER)
        due_day = ctx.calendar.add(rday, self.days)
        self.due_ts = np.where(self.accepted, due_day.astype(np.int64) * DAY + 17 * HOUR, NEVER)
        self.rec_status = np.where(rng.random(n) < 0.25, 2, 4)
        base_fee = ctx.proc_fee[self.proc]
        pages = np.where(base_fee == 2000, rng.integers(1, 9, n), 1)
        self.fee = base_fee * pages
        paid = (self.fee > 0) & (rng.random(n) < ctx.trend("paid_online", rday))
        self.paid = np.where(paid, np.where(rng.random(n) < 0.35, 1, 2), 0)
        self.digitized = rng.random(n) < ctx.trend("digitized", rday)

    def _processing(self) -> None:
        """Supplement requests and answers, then the finish day from the working days spent.

        The finish lands ``k`` working days of work after receipt plus the working days the
        clock stood still while the applicant completed the file; ``k`` exceeds the statutory
        time for the late share of the year.
        """
        ctx, rng, n, cal = self.ctx, self.rng, self.n, self.ctx.calendar
        days, rday, acc = self.days, self.rday, self.accepted
        self.late = rng.random(n) < ctx.trend("late", rday)
        on_time_k = np.minimum(np.floor(rng.beta(1.6, 1.0, n) * (days + 1)), days)
        k = np.where(self.late, days + rng.geometric(0.4, n), on_time_k).astype(np.int64)

        s1 = acc & (days > 0) & (rng.random(n) < ctx.trend("supplement", rday))
        j1 = np.floor(rng.random(n) * (np.minimum(k, days) + 1)).astype(np.int64)
        rq1_day = cal.add(rday, j1)
        self.rq1_ts = _after(_when(s1, rq1_day, _time_of_day(rng, n, 8, 16.5)), self.rec_ts, rng)
        self.unanswered = s1 & (rng.random(n) < UNANSWERED)
        answered = s1 & ~self.unanswered
        an1_day = rq1_day + rng.geometric(0.3, n)
        self.an1_ts = _after(_when(answered, an1_day, _time_of_day(rng, n, 7, 21)), self.rq1_ts, rng)
        s2 = answered & (rng.random(n) < SECOND_REQUEST)
        rq2_day = cal.add(an1_day, rng.integers(1, 4, n))
        self.rq2_ts = _when(s2, rq2_day, _time_of_day(rng, n, 8, 16.5))
        an2_day = rq2_day + rng.integers(1, 9, n)
        self.an2_ts = _when(s2, an2_day, _time_of_day(rng, n, 7, 21))

        wd = cal.wd_index
        pause = np.where(answered, wd[an1_day] - wd[rq1_day], 0) + np.where(s2, wd[an2_day] - wd[rq2_day], 0)
        k = np.where(s2, np.maximum(k, j1 + wd[rq2_day] - wd[an1_day]), k)
        spent = k + pause
        finish_day = np.where(spent > 0, cal.workdays[np.maximum(wd[rday] + spent - 1, 0)], rday)
        last_answer = np.where(s2, an2_day, np.where(answered, an1_day, -1))
        answer_next = np.where(cal.working[np.maximum(last_answer, 0)], last_answer,
                               cal.next_working(np.maximum(last_answer, 0)))
        self.finish_day = np.where(finish_day < last_answer, answer_next, finish_day)
        self.last_answer_ts = np.where(s2, self.an2_ts, np.where(answered, self.an1_ts, NEVER))

    def _outcome(self) -> None:
        """Fee wait, finish and return, or withdrawal and stop that end the dossier early.

        An unanswered supplement request ends 20–40 days later in a withdrawal or a stop. A few
        dossiers returned on their finish day have no finish time of their own (status 10 with
        only ``returned_at``, which docs/spec §2.1 lets stand in).
        """
        ctx, rng, n, cal = self.ctx, self.rng, self.n, self.ctx.calendar
        acc, rday, fin_day = self.accepted, self.rday, self.finish_day
        prior = np.where(self.last_answer_ts != NEVER, self.last_answer_ts, self.rec_ts)
        fin_ts = _after(_when(acc, fin_day, _time_of_day(rng, n, 8, 17)), prior, rng)

        wait_day = cal.workdays[np.maximum(cal.wd_index[fin_day] - 2, 0)]
        waits = acc & (self.fee > 0) & (self.days >= 5) & (rng.random(n) < 0.25) & (
            wait_day > np.maximum(rday, prior // DAY))
        self.fw_ts = _when(waits, wait_day, _time_of_day(rng, n, 9, 16))

        same_day = rng.random(n) < np.where(self.days == 0, 0.9, 0.65)
        ret_day = np.where(same_day, fin_day, cal.add(fin_day, rng.geometric(0.5, n)))
        ret_ts = _when(acc & ~(rng.random(n) < NEVER_RETURNED), ret_day, _time_of_day(rng, n, 7.5, 17))
        ret_ts = np.where(same_day & (ret_ts != NEVER),
                          np.minimum(fin_ts + rng.integers(300, 2 * HOUR, n), (fin_ts // DAY) * DAY + DAY - 1),
                          ret_ts)

        draw = rng.random(n)
        withdraw = acc & (draw < WITHDRAWN)
        stop = acc & (draw >= WITHDRAWN) & (draw < WITHDRAWN + STOPPED)
        end_day = rday + np.floor(rng.random(n) * (fin_day - rday + 1)).astype(np.int64)
        end_ts = _after(_when(withdraw | stop, end_day, _time_of_day(rng, n, 8, 17)), self.rec_ts, rng)
        late_end = _when(self.unanswered, self.rq1_ts // DAY + rng.integers(20, 41, n),
                         _time_of_day(rng, n, 8, 17))
        left_open = self.unanswered & ~withdraw & ~stop
        gives_up = left_open & (rng.random(n) < 0.5)
        self.wdraw_ts = np.where(withdraw, end_ts, np.where(gives_up, late_end, NEVER))
        self.stop_ts = np.where(stop, end_ts, np.where(left_open & ~gives_up, late_end, NEVER))
        ended = np.minimum(self.wdraw_ts, self.stop_ts)
        for name in ("rq1_ts", "an1_ts", "rq2_ts", "an2_ts", "fw_ts"):
            value = getattr(self, name)
            setattr(self, name, np.where(value > ended, NEVER, value))
        self.fin_ts = np.where(ended != NEVER, NEVER, fin_ts)
        self.ret_ts = np.where(ended != NEVER, NEVER, ret_ts)
        self.unstamped_finish = same_day & (self.ret_ts != NEVER) & (rng.random(n) < UNSTAMPED_FINISH)
        self.result_attached = rng.random(n) < ctx.trend("result_attached", rday)

    def _feedback(self) -> None:
        """Ratings (many missing) and rare complaints after the return; phone corrections."""
        ctx, rng, n = self.ctx, self.rng, self.n
        returned = self.ret_ts != NEVER
        rated = returned & (rng.random(n) < ctx.trend("rated", self.rday))
        self.rating = np.where(self.late, _choose(rng, RATING_LATE, n), _choose(rng, RATING_ON_TIME, n)) + 1
        self.complaint = returned & (rng.random(n) < np.where(self.late, 0.03, 0.002))
        later = rng.random(n) < 0.15
        ret_day = np.where(returned, self.ret_ts, 0) // DAY
        later_ts = (ret_day + rng.integers(1, 4, n)) * DAY + _time_of_day(rng, n, 8, 21)
        self.fb_ts = np.where(rated | self.complaint, np.where(later, later_ts, self.ret_ts), NEVER)
        self.rated = rated
        corrected = self.accepted & (rng.random(n) < CORRECTED)
        self.corr_ts = _when(corrected, self.rday + rng.integers(1, 5, n), _time_of_day(rng, n, 8, 17))

    def events(self) -> list[np.ndarray]:
        """The timestamps that each produce an export row (NEVER where the event does not happen)."""
        online_earlier = (self.channel == 2) & (self.sub_ts // DAY < self.rday)
        submitted_earlier = np.where(online_earlier, self.sub_ts, NEVER)
        return [submitted_earlier, self.rec_ts, self.rej_ts, self.rq1_ts, self.an1_ts, self.rq2_ts,
                self.an2_ts, self.fw_ts, self.wdraw_ts, self.stop_ts, self.fin_ts, self.ret_ts,
                self.fb_ts, self.corr_ts]


def export_rows(ctx: Context, chunk: Chunk) -> pa.Table:
    """One row per dossier and day with a change in the export window, in its end-of-day state.

    Online submissions made before the first export day are not exported (they appear with
    their receipt); events after the last export day have not happened yet.
    """
    first, limit = ctx.start_day * DAY, (ctx.end_day + 1) * DAY
    dossier, ts = [], []
    for event in chunk.events():
        hit = np.flatnonzero((event >= first) & (event < limit))
        dossier.append(hit)
        ts.append(event[hit])
    dossier, ts = np.concatenate(dossier), np.concatenate(ts)
    order = np.lexsort((ts, dossier))
    dossier, ts = dossier[order], ts[order]
    day = ts // DAY
    last_of_day = np.ones(len(ts), dtype=bool)
    last_of_day[:-1] = (dossier[1:] != dossier[:-1]) | (day[1:] != day[:-1])
    return _state(ctx, chunk, dossier[last_of_day], ts[last_of_day])


def _seen(event: np.ndarray, i: np.ndarray, ts: np.ndarray) -> np.ndarray:
    return event[i] <= ts


def _status(c: Chunk, i: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """The status code a dossier shows at ``ts`` (docs/spec §2.1), from its latest event."""
    rq1, an1, rq2, an2 = (_seen(e, i, ts) for e in (c.rq1_ts, c.an1_ts, c.rq2_ts, c.an2_ts))
    received = _seen(c.rec_ts, i, ts)
    on_receipt_day = (c.rec_ts[i] // DAY) == (ts // DAY)
    return np.select(
        [_seen(c.ret_ts, i, ts), _seen(c.fin_ts, i, ts), _seen(c.stop_ts, i, ts),
         _seen(c.wdraw_ts, i, ts), _seen(c.fw_ts, i, ts), rq2 & ~an2, rq1 & ~an1,
         received & on_receipt_day & ~rq1, received, _seen(c.rej_ts, i, ts)],
        [10, 9, 8, 7, 6, 5, 5, c.rec_status[i], 4, 3], default=1).astype(np.int8)


def _timestamp(ctx: Context, values: np.ndarray, shown: np.ndarray) -> pa.Array:
    seconds = np.where(shown, values, 0) + ctx.epoch_offset
    return pa.array(seconds, pa.timestamp("s"), mask=~shown)


def _dossier_ids(ctx: Context, c: Chunk) -> pa.Array:
    """``<unit code>-<yymmdd>-<4-digit number of the unit's day>``, like the one-stop systems."""
    order = np.lexsort((np.arange(c.n), c.rday, c.unit))
    key = c.unit[order] * 100_000 + c.rday[order]
    starts = np.r_[0, np.flatnonzero(key[1:] != key[:-1]) + 1]
    seq_sorted = np.arange(c.n) - np.repeat(starts, np.diff(np.r_[starts, c.n]))
    seq = np.empty(c.n, dtype=np.int64)
    seq[order] = seq_sorted + 1
    epoch_days = (c.rday + ctx.epoch_offset // DAY).astype("datetime64[D]")
    day_text = pc.strftime(pa.array(epoch_days, pa.date32()).cast(pa.timestamp("s")), "%y%m%d")
    return pc.binary_join_element_wise(ctx.unit_codes.take(pa.array(c.unit)), day_text,
                                       pc.utf8_lpad(pa.array(seq).cast(pa.string()), 4, "0"), "-")


def _applicants(ctx: Context, c: Chunk) -> dict[str, pa.Array]:
    """Per-dossier personal data; addresses lie in the receiving commune where there is one,
    else in a commune of the receiving unit's province alive on the receipt day."""
    rng = c.rng
    place_unit = ctx.unit_place[c.unit].copy()
    for epoch in ctx.epochs:
        in_epoch = (c.rday >= epoch.first) & (c.rday <= epoch.last) & (place_unit < 0)
        for root, communes in enumerate(epoch.communes):
            mask = in_epoch & (ctx.unit_root[c.unit] == root)
            place_unit[mask] = communes[rng.integers(0, len(communes), int(mask.sum()))]
    return {
        "applicant_name": people.names(rng, c.n),
        "applicant_id_number": people.id_numbers(rng, c.n),
        "applicant_phone": people.phones(rng, c.n),
        "corrected_phone": people.phones(rng, c.n),
        "applicant_address": people.addresses(rng, ctx.places.take(pa.array(place_unit)),
                                              ctx.unit_urban[place_unit]),
    }


def _state(ctx: Context, c: Chunk, i: np.ndarray, ts: np.ndarray) -> pa.Table:
    """The export rows: dossier ``i[r]`` as it stood at ``ts[r]``."""
    status = _status(c, i, ts)
    seen = {name: _seen(getattr(c, name), i, ts) for name in
            ("rec_ts", "rq1_ts", "an1_ts", "rq2_ts", "an2_ts", "fin_ts", "stop_ts", "ret_ts",
             "fb_ts", "corr_ts")}
    second = seen["rq2_ts"]
    requested = np.where(second, c.rq2_ts[i], c.rq1_ts[i])
    answered = np.where(second, seen["an2_ts"], seen["an1_ts"])
    answered_at = np.where(second, c.an2_ts[i], c.an1_ts[i])
    finished = np.where(seen["fin_ts"], c.fin_ts[i], c.stop_ts[i])
    received = seen["rec_ts"]
    take = pa.array(i)
    applicants = _applicants(ctx, c)
    ids = _dossier_ids(ctx, c)
    columns = {
        "dossier_id": ids.take(take),
        "procedure_code": ctx.proc_codes.take(pa.array(c.proc[i])),
        "agency_code": ctx.unit_codes.take(pa.array(c.unit[i])),
        "channel": pa.array(c.channel[i], pa.int8()),
        "service_level": pa.array(c.level[i], pa.int8()),
        "status": pa.array(status, pa.int8()),
        "submitted_at": _timestamp(ctx, c.sub_ts[i], np.ones(len(i), dtype=bool)),
        "received_at": _timestamp(ctx, c.rec_ts[i], received),
        "due_at": _timestamp(ctx, c.due_ts[i], received),
        "finished_at": _timestamp(ctx, finished, (seen["fin_ts"] & ~c.unstamped_finish[i]) | seen["stop_ts"]),
        "returned_at": _timestamp(ctx, c.ret_ts[i], seen["ret_ts"]),
        "supplement_requested_at": _timestamp(ctx, requested, seen["rq1_ts"]),
        "supplement_received_at": _timestamp(ctx, answered_at, seen["rq1_ts"] & answered),
        "supplement_count": pa.array(seen["rq1_ts"].astype(np.int8) + second, pa.int8()),
        "fee_amount": pa.array(c.fee[i], pa.int64()),
        "paid_online": pa.array(np.where(received, c.paid[i], 0), pa.int8()),
        "digitized_components": pa.array(received & c.digitized[i]),
        "result_attached": pa.array(np.isin(status, (9, 10)) & c.result_attached[i]),
        "rating": pa.array(c.rating[i], pa.int8(), mask=~(seen["fb_ts"] & c.rated[i])),
        "complaint": pa.array(seen["fb_ts"] & c.complaint[i]),
        "updated_at": _timestamp(ctx, ts, np.ones(len(i), dtype=bool)),
        "applicant_name": applicants["applicant_name"].take(take),
        "applicant_id_number": applicants["applicant_id_number"].take(take),
        "applicant_phone": pc.if_else(pa.array(seen["corr_ts"]),
                                      applicants["corrected_phone"].take(take),
                                      applicants["applicant_phone"].take(take)),
        "applicant_address": applicants["applicant_address"].take(take),
        "export_day": pa.array(ts // DAY, pa.int32()),
        "export_set": pa.array(ctx.unit_root[c.unit[i]], pa.int8()),
    }
    return pa.table(columns, schema=SCHEMA)
