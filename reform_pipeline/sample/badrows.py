"""Planted bad rows: about 1% extra rows per export that break exactly one rule of docs/spec §2.1.

A bad row is a copy of a valid row of the same export, either under a new dossier number or as
a later re-send of the same dossier (a few minutes later ``updated_at``, so that a pipeline that
let it through would pick it as the latest version), with one value spoiled. The spoiled value
breaks the rule named by its reason and no rule before it in the contract order (docs/spec §2.1), so the reason the
pipeline gives must equal the planted one:

``missing_required`` < ``bad_timestamp`` < ``bad_code`` < ``bad_number`` < ``unknown_agency``
< ``unknown_procedure`` < ``inconsistent_dates``.

Text formats (CSV, xlsx) can carry any spoiled text; Parquet columns are typed, so a Parquet
export cannot hold an unreadable timestamp and gets the other six reasons only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

REASONS = ["missing_required", "bad_timestamp", "bad_code", "bad_number", "unknown_agency",
           "unknown_procedure", "inconsistent_dates"]
TYPED_REASONS = [r for r in REASONS if r != "bad_timestamp"]


@dataclass
class Planted:
    """The bad rows of one export: typed copies, text that replaces typed values, positions."""

    rows: list[dict]
    text: list[dict[str, str]]
    reasons: list[str]
    positions: np.ndarray
    """0-based positions among all the export's data rows, ascending."""


@dataclass
class Planter:
    """Decides how many bad rows each export gets and which reasons, evenly across the set."""

    share: float
    agencies: set[str]
    procedures: set[str]
    root: str
    carry: float = 0.0
    cursor: int = 0
    """Reasons go round in contract order (docs/spec §2.1) across exports, so every shape gets every reason it can hold."""
    counts: Counter = field(default_factory=Counter)
    renamed: int = 0

    def plant(self, table: pa.Table, text_format: str | None, rng: np.random.Generator) -> Planted:
        """Bad rows for an export of ``table``'s valid rows.

        ``text_format`` is ``iso`` or ``dmy`` for text exports (how their dates are written)
        and None for Parquet. The count carries fractions over from export to export so the
        whole set has ``share`` of bad rows however small each export is.
        """
        self.carry += table.num_rows * self.share
        count = int(self.carry) if table.num_rows else 0
        self.carry -= count
        allowed = REASONS if text_format else TYPED_REASONS
        rows, text, reasons = [], [], []
        sources = self._sources(table, count, rng)
        for _ in range(count):
            for turn in range(len(allowed)):
                reason = allowed[(self.cursor + turn) % len(allowed)]
                made = self._spoil(reason, sources, text_format, rng)
                if made:
                    break
            self.cursor += 1
            row, spoiled = made
            self.counts[reason] += 1
            rows.append(row)
            text.append(spoiled)
            reasons.append(reason)
        total = table.num_rows + count
        positions = np.sort(rng.choice(total, size=count, replace=False)) if count else np.array([], int)
        return Planted(rows, text, reasons, positions)

    @staticmethod
    def _sources(table: pa.Table, count: int, rng: np.random.Generator) -> list[dict]:
        """A random handful of the export's rows to copy bad rows from (read once, as Python)."""
        if not count:
            return []
        size = min(table.num_rows, max(64, 16 * count))
        return table.take(pa.array(rng.choice(table.num_rows, size=size, replace=False))).to_pylist()

    def _spoil(self, reason: str, sources: list[dict], text_format: str | None,
               rng: np.random.Generator) -> tuple[dict, dict[str, str]] | None:
        """A copy of a suitable row with one value spoiled for ``reason``; None if no row suits."""
        variants = [v for v in VARIANTS[reason] if text_format or v.typed]
        for _ in range(50):
            variant = variants[int(rng.integers(len(variants)))]
            row = dict(sources[int(rng.integers(len(sources)))])
            if variant.applies(row):
                self._new_version(row, variant, rng)
                return row, variant.spoil(row, self, text_format, rng) or {}
        return None

    def _new_version(self, row: dict, variant: "Variant", rng: np.random.Generator) -> None:
        """Give the copy a fresh dossier number, or keep it as a later re-send of the dossier."""
        if variant.keeps_id and rng.random() < 0.35:
            stamp = row["updated_at"]
            later = stamp + dt.timedelta(seconds=int(rng.integers(60, 900)))
            if later.date() == stamp.date():
                row["updated_at"] = later
                return
        self.renamed += 1
        stem = row["dossier_id"].rsplit("-", 1)[0]
        row["dossier_id"] = f"{stem}-{9000 + self.renamed % 1000:04d}"

    def unknown_agency(self, rng: np.random.Generator) -> str:
        """A code in the tree's style that is not in the tree (a unit merged away, another province)."""
        while True:
            g1, g2, g3 = int(rng.integers(0, 3)), int(rng.integers(0, 99)), int(rng.integers(23, 99))
            suffix = ["H32", "H45", "H31"][int(rng.integers(3))]
            code = f"{g1:03d}.{g2:02d}.{g3:02d}.{suffix}"
            if code not in self.agencies:
                return code

    def unknown_procedure(self, rng: np.random.Generator) -> str:
        """A code in the catalogue's style that the catalogue does not list (abolished, mistyped)."""
        while True:
            code = f"{int(rng.integers(1, 3))}.{int(rng.integers(0, 13000)):06d}.{self.root}"
            if code not in self.procedures:
                return code

    def summary(self) -> dict[str, int]:
        return {reason: self.counts[reason] for reason in REASONS}


@dataclass(frozen=True)
class Variant:
    """One way to break a rule: when it applies to a row, and what it spoils."""

    applies: callable
    spoil: callable
    typed: bool = True
    """False when only text can express it (no Parquet)."""
    keeps_id: bool = True


def _has(*columns):
    return lambda row: all(row[c] is not None for c in columns)


def _status_in(*codes):
    return lambda row: row["status"] in codes


def _any(row):
    return True


def _blank(*columns):
    """Empty values: an empty CSV field, an empty cell, a Parquet null."""
    def spoil(row, planter, text_format, rng):
        row.update(dict.fromkeys(columns))
    return spoil


def _text(column, iso_values, dmy_values):
    """Replace a value with one of the texts fitting the export's style."""
    def spoil(row, planter, text_format, rng):
        values = iso_values if text_format == "iso" else dmy_values
        return {column: values[int(rng.integers(len(values)))]}
    return spoil


def _typed(column, values):
    def spoil(row, planter, text_format, rng):
        row[column] = values[int(rng.integers(len(values)))]
    return spoil


def _negative_fee(row, planter, text_format, rng):
    row["fee_amount"] = -(row["fee_amount"] or int(rng.choice([20000, 50000])))


def _bad_timestamp(row, planter, text_format, rng):
    """A timestamp no accepted form reads: an impossible date or a foreign layout."""
    column = "received_at" if row["received_at"] is not None and rng.random() < 0.5 else "submitted_at"
    stamp = row[column]
    y, hh, mm = stamp.year, stamp.hour, stamp.minute
    if text_format == "iso":
        choices = [f"{y}-02-30 {hh:02d}:{mm:02d}:00", f"{y}-04-31 {hh:02d}:{mm:02d}:00",
                   f"{y}-13-{stamp.day:02d} {hh:02d}:{mm:02d}:00",
                   f"{stamp.day:02d}-{stamp.month:02d}-{y} {hh:02d}:{mm:02d}",
                   f"{y}/{stamp.month:02d}/{stamp.day:02d} {hh:02d}:{mm:02d}:00"]
    else:
        choices = [f"30/02/{y} {hh:02d}:{mm:02d}", f"31/4/{y} {hh:02d}:{mm:02d}",
                   f"13/13/{y}", f"{stamp.day:02d}.{stamp.month:02d}.{y} {hh:02d}:{mm:02d}",
                   f"{hh:02d}:{mm:02d} {stamp.day:02d}/{stamp.month:02d}/{y}"]
    return {column: choices[int(rng.integers(len(choices)))]}


def _earlier(column, anchor, max_days=5):
    """Move ``column`` whole days before ``anchor``'s date: inconsistent_dates and nothing else."""
    def spoil(row, planter, text_format, rng):
        row[column] = row[anchor] - dt.timedelta(days=int(rng.integers(1, max_days + 1)))
    return spoil


def _unknown_agency(row, planter, text_format, rng):
    row["agency_code"] = planter.unknown_agency(rng)


def _unknown_procedure(row, planter, text_format, rng):
    row["procedure_code"] = planter.unknown_procedure(rng)


_RECEIVED = _status_in(2, 4, 5, 6, 7, 8, 9, 10)
VARIANTS: dict[str, list[Variant]] = {
    "missing_required": [
        Variant(_any, _blank("procedure_code")),
        Variant(_any, _blank("agency_code")),
        Variant(_any, _blank("status")),
        Variant(_any, _blank("dossier_id"), keeps_id=False),
        Variant(_RECEIVED, _blank("received_at")),
        Variant(_status_in(8, 9), _blank("finished_at")),
        Variant(_status_in(10), _blank("finished_at", "returned_at")),
    ],
    "bad_timestamp": [
        Variant(_any, _bad_timestamp, typed=False),
    ],
    "bad_code": [
        Variant(_any, _typed("status", [11, 12, 0])),
        Variant(_any, _typed("channel", [4, 5, 0])),
        Variant(_any, _typed("service_level", [1, 5])),
        Variant(_any, _typed("rating", [5, 0])),
        Variant(_any, _typed("paid_online", [3, 9])),
        Variant(_any, _text("status", ["11", "99"], ["Đang giải quyết", "Chờ bổ sung", "Hoàn thành"]), typed=False),
        Variant(_any, _text("channel", ["4", "web"], ["Qua mạng", "Cổng DVC"]), typed=False),
        Variant(_any, _text("service_level", ["1", "5"], ["Mức độ 4", "Toàn phần"]), typed=False),
        Variant(_any, _text("rating", ["5", "6"], ["Rất tốt", "Tốt"]), typed=False),
        Variant(_any, _text("digitized_components", ["2", "y"], ["Chưa", "x"]), typed=False),
        Variant(_any, _text("complaint", ["2", "n"], ["Chưa", "-"]), typed=False),
    ],
    "bad_number": [
        Variant(_any, _negative_fee),
        Variant(_any, _typed("supplement_count", [-1])),
        Variant(_any, _text("fee_amount", ["12500.5", "-1500"], ["50.000đ", "Miễn phí", "12500,5"]), typed=False),
        Variant(_any, _text("supplement_count", ["1.5", "-2"], ["Một", "1,5"]), typed=False),
    ],
    "unknown_agency": [Variant(_any, _unknown_agency)],
    "unknown_procedure": [Variant(_any, _unknown_procedure)],
    "inconsistent_dates": [
        Variant(_has("received_at", "due_at"), _earlier("due_at", "received_at")),
        Variant(_has("received_at", "finished_at"), _earlier("finished_at", "received_at")),
        Variant(_has("received_at", "returned_at"), _earlier("returned_at", "received_at")),
        Variant(_has("supplement_requested_at", "supplement_received_at"),
                _earlier("supplement_received_at", "supplement_requested_at", 3)),
    ],
}
