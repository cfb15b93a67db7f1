"""Generating a whole sample: reference files, nightly exports, and the manifest of bad rows.

Dossiers are simulated a calendar month of receipts at a time. Their export rows fall on the
receipt day and later days (and, for online submissions, up to MAX_LEAD_DAYS before it), so
rows wait in a buffer until no later month can add to their export; exports whose night is
before that horizon are then written and dropped from memory. Memory therefore holds about two
months of rows (or one export period, if longer) whatever the total.

Every random draw comes from a generator seeded with (seed, purpose, number), so the output
depends only on the options: the dossiers of a month on (seed, month number), an export's style
and bad rows on (seed, export night) and, for a merged province's exports, its set number.
Dossiers do not depend on the format, so the same seed in ``parquet`` and ``mixed`` form holds the
same dossiers.

A merged province's units (Ninh Thuận's, until 2025-06-30) write their dossiers to exports of
their own, ``dossiers_ninhthuan_YYYYMMDD``: the merged province's data team loads its partner's
legacy system beside its own.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import simulate, writers
from .badrows import Planter
from .procedures import build_catalogue, info_cut_ratio
from .units import build_tree, export_prefixes, unit_changes
from .workdays import WorkCalendar

DEFAULT_SEED = 20230101
DEFAULT_DOSSIERS = 112_500
DEFAULT_START = dt.date(2023, 1, 1)
DEFAULT_END = dt.date(2026, 11, 30)
FORMATS = ("mixed", "parquet", "csv", "xlsx")
PERIODS = ("day", "week", "month")

# The committed sample's mix: (share of the date range where a block starts, export shape, one
# export per ...). Over the default range: January–February 2023 as the old system's monthly
# Excel reports; monthly Parquet back-fill from March 2023, with five weeks of weekly Vietnamese
# report CSV in May 2024; weekly Parquet from June 2026; then nightly exports from September
# 2026, the first twelve nights as the system's own CSV. Four years of nightly files would not
# fit the sample's size budget (every small file carries kilobytes of fixed overhead, and a CSV
# row costs five times a Parquet row), so nights are kept for the last quarter, where the nightly
# feed is what the pipeline runs on. Blocks start on a Monday or a 1st where they export by week
# or month. Ninh Thuận's exports (its units' dossiers, loaded from its own system) follow the
# same schedule under their own names.
MIXED_PLAN = [
    (0.0, "xlsx", "month"),
    (0.0413, "parquet", "month"),
    (0.3385, "report", "week"),
    (0.3615, "parquet", "month"),
    (0.872, "parquet", "week"),
    (0.9364, "system", "day"),
    (0.9448, "parquet", "day"),
]
SINGLE_FORMAT = {"parquet": "parquet", "csv": "system", "xlsx": "xlsx"}


@dataclass(frozen=True)
class Options:
    out: Path = Path("data/raw")
    start: dt.date = DEFAULT_START
    end: dt.date = DEFAULT_END
    dossiers: int = DEFAULT_DOSSIERS
    format: str = "mixed"
    tree: str = "khanhhoa"
    bad_share: float = 0.01
    files_per: str | None = None
    """day, week or month; None: one per day, or the mix's own schedule for ``mixed``."""
    manifest: Path | None = None
    seed: int = DEFAULT_SEED
    progress: bool = True

    def manifest_path(self) -> Path:
        return self.manifest or self.out.parent / "sample_manifest.json"


class Sample:
    """One generation run: the fixed inputs, the buffer of pending rows, and what was written."""

    def __init__(self, options: Options):
        if options.end < options.start:
            raise ValueError("--end is before --start")
        self.options = options
        self.tree = build_tree(options.tree, options.start, options.end)
        self.prefixes = export_prefixes(self.tree)
        self.catalogue = build_catalogue(options.seed, self.tree)
        self.calendar = WorkCalendar.build(options.start - dt.timedelta(days=10),
                                           options.end + dt.timedelta(days=400))
        self.start_day = self.calendar.index(options.start)
        self.end_day = self.calendar.index(options.end)
        self.ctx = simulate.Context.build(self.calendar, self.start_day, self.end_day, self.tree,
                                          self.catalogue)
        self.kinds, self.period_end = self._schedule()
        self.planter = Planter(options.bad_share, {u.code for u in self.tree},
                               {p.code for p in self.catalogue}, self.tree[0].code)
        self.pending: list[pa.Table] = []
        self.files: dict[str, dict] = {}
        self.started = time.monotonic()

    def run(self) -> dict:
        out = self.options.out
        out.mkdir(parents=True, exist_ok=True)
        self._clear_old_exports()
        writers.write_agencies(out / "agencies.csv", self.tree)
        writers.write_unit_changes(out / "unit_changes.csv", unit_changes(self.tree))
        writers.write_procedures(out / "procedures.csv", self.catalogue)
        writers.write_targets(out / "targets.csv", self.tree)
        writers.write_rankings(out / "rankings.csv", self.tree)
        writers.write_calendar(out / "calendar.csv")
        counts = self._receipt_counts()
        months = self._months()
        for number, (first, last) in enumerate(months):
            per_day = counts[first - self.start_day:last - self.start_day + 1]
            receipts = np.repeat(np.arange(first, last + 1), per_day)
            if len(receipts):
                rng = np.random.default_rng([self.options.seed, 2, number])
                self.pending.append(simulate.export_rows(self.ctx, simulate.Chunk(self.ctx, receipts, rng)))
            if number + 1 < len(months):
                self._flush(before=months[number + 1][0] - simulate.MAX_LEAD_DAYS)
            else:
                self._flush(before=self.end_day + 1)
            self._progress(f"{self.calendar.date(first):%Y-%m}: {len(receipts):,} dossiers received, "
                           f"{len(self.files):,} exports written")
        manifest = self._manifest()
        path = self.options.manifest_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return manifest

    def _clear_old_exports(self) -> None:
        """Remove exports of an earlier run (any set, any shape), so that a smaller or
        other-format run stands alone."""
        for path in self.options.out.glob("dossiers*"):
            if path.is_file() and path.suffix in (".csv", ".xlsx", ".xls", ".parquet"):
                path.unlink()

    def _receipt_counts(self) -> np.ndarray:
        volume = simulate.day_volumes(self.calendar, self.start_day, self.end_day)
        rng = np.random.default_rng([self.options.seed, 1])
        return rng.multinomial(self.options.dossiers, volume / volume.sum())

    def _months(self) -> list[tuple[int, int]]:
        """(first day, last day) of each calendar month of receipts in the range."""
        months, first = [], self.start_day
        while first <= self.end_day:
            date = self.calendar.date(first)
            following = dt.date(date.year + date.month // 12, date.month % 12 + 1, 1)
            last = min(self.calendar.index(following) - 1, self.end_day)
            months.append((first, last))
            first = last + 1
        return months

    def _schedule(self) -> tuple[list[str], np.ndarray]:
        """For each day of the range: the shape of its export and the night of that export.

        An export period never straddles two blocks of the plan, so every export has one shape.
        A block start moves to the nearest Monday or 1st unless that would swallow the block
        before it (short ranges).
        """
        options = self.options
        if options.format == "mixed":
            plan = [(share, kind, options.files_per or per) for share, kind, per in MIXED_PLAN]
        else:
            plan = [(0.0, SINGLE_FORMAT[options.format], options.files_per or "day")]
        days = np.arange(self.start_day, self.end_day + 1)
        starts = [self.start_day]
        for share, _, per in plan[1:]:
            raw = self.start_day + round(share * len(days))
            snapped = self._snap(raw, per)
            starts.append(snapped if snapped > starts[-1] else max(raw, starts[-1]))
        block = np.searchsorted(starts, days, side="right") - 1
        block_last = np.array([days[block == b].max() if (block == b).any() else -1
                               for b in range(len(plan))])
        natural = {"day": days, "week": days + (6 - self.calendar.weekday(days)),
                   "month": np.array([self.calendar.index(_month_end(self.calendar.date(d))) for d in days])}
        ends = np.array([natural[plan[b][2]][i] for i, b in enumerate(block)])
        kinds = [plan[b][1] for b in block]
        return kinds, np.minimum(np.minimum(ends, block_last[block]), self.end_day)

    def _snap(self, day: int, per: str) -> int:
        """The period start nearest to ``day``, so that blocks begin on a Monday or a 1st."""
        if per == "week":
            return int(day - (self.calendar.weekday(np.array([day]))[0] + 3) % 7 + 3)
        if per == "month":
            date = self.calendar.date(day)
            this = dt.date(date.year, date.month, 1)
            following = _month_end(date) + dt.timedelta(days=1)
            nearest = this if (date - this) <= (following - date) else following
            return self.calendar.index(nearest)
        return day

    def _flush(self, before: int) -> None:
        """Write every export whose night is before ``before``; keep the rest pending."""
        if not self.pending:
            return
        rows = pa.concat_tables(self.pending)
        night = self.period_end[rows.column("export_day").to_numpy() - self.start_day]
        ready = night < before
        self.pending = [rows.filter(pa.array(~ready))] if (~ready).any() else []
        if not ready.any():
            return
        rows, night = rows.filter(pa.array(ready)), night[ready]
        keys = pa.table({"night": night, "set": rows.column("export_set"),
                         "updated_at": rows.column("updated_at"), "dossier_id": rows.column("dossier_id")})
        order = pc.sort_indices(keys, sort_keys=[("night", "ascending"), ("set", "ascending"),
                                                 ("updated_at", "ascending"), ("dossier_id", "ascending")])
        rows, night = rows.take(order), night[order.to_numpy()]
        export = night * 256 + rows.column("export_set").to_numpy()
        bounds = np.r_[0, np.flatnonzero(export[1:] != export[:-1]) + 1, len(export)]
        for a, b in zip(bounds[:-1], bounds[1:]):
            self._write(int(night[a]), int(export[a] % 256),
                        rows.slice(a, b - a).drop_columns(["export_day", "export_set"]))

    def _write(self, night: int, export_set: int, rows: pa.Table) -> None:
        """One export of a set: ``dossiers_YYYYMMDD`` for the province's own system,
        ``dossiers_<province>_YYYYMMDD`` for a merged province's."""
        date = self.calendar.date(night)
        kind = self.kinds[night - self.start_day]
        rng = np.random.default_rng([self.options.seed, 3, night] + ([export_set] if export_set else []))
        style = writers.Style.draw(kind, rng)
        planted = self.planter.plant(rows, style.text_format, rng)
        name = f"{self.prefixes[export_set]}{date:%Y%m%d}.{writers.extension(kind)}"
        assert name not in self.files, f"{name} would be written twice"
        writers.write_export(self.options.out / name, rows, planted, style, date,
                             compact=self.options.format == "mixed")
        self.files[name] = {
            "format": kind,
            "rows": rows.num_rows + len(planted.rows),
            "bad_rows": [{"row_number": int(p) + 1, "reason": r}
                         for p, r in zip(planted.positions, planted.reasons)],
        }

    def _manifest(self) -> dict:
        options = {k: str(v) if isinstance(v, (Path, dt.date)) else v
                   for k, v in asdict(self.options).items() if k not in ("out", "manifest", "progress")}
        by_reason = self.planter.summary()
        return {
            "generator": "python -m reform_pipeline.sample",
            "options": options,
            "catalogue": {"procedures": len(self.catalogue),
                          "declared_info_reduction": round(info_cut_ratio(self.catalogue), 4)},
            "agencies": len(self.tree),
            "unit_changes": len(unit_changes(self.tree)),
            "totals": {"files": len(self.files), "rows": sum(f["rows"] for f in self.files.values()),
                       "bad_rows": sum(by_reason.values()), "bad_rows_by_reason": by_reason},
            "files": dict(sorted(self.files.items())),
        }

    def _progress(self, message: str) -> None:
        if self.options.progress:
            print(f"[{time.monotonic() - self.started:7.1f}s] {message}", file=sys.stderr, flush=True)


def _month_end(date: dt.date) -> dt.date:
    following = dt.date(date.year + date.month // 12, date.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def generate(options: Options) -> dict:
    """Write the sample described by ``options``; returns the manifest."""
    return Sample(options).run()
