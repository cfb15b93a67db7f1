"""Run configuration from the REFORM_* environment variables (docs/spec §3).

Read at run time, not import time, so that tests and the nightly schedule can point the same
code at other folders.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from reform_pipeline.ops import VIETNAM_TIMEZONE

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_WAREHOUSE = "data/warehouse/reform.duckdb"
DEFAULT_BI_DB = "data/bi/reform_bi.duckdb"
# A whole run takes seconds on a province's data and minutes on a national history
# (benchmarks/RESULTS.md).
DEFAULT_LOCK_WAIT_SECONDS = 600.0

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ConfigError(ValueError):
    """A REFORM_* setting that the pipeline cannot run with."""


def today_in_vietnam(now: dt.datetime | None = None) -> dt.date:
    """The day it is in Vietnam (UTC+7, no DST; docs/spec §2) at ``now`` (default: now), whatever the
    machine's own time zone."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(VIETNAM_TIMEZONE)).date()


def parse_as_of(value: str | None, today: dt.date | None = None) -> dt.date | None:
    """REFORM_AS_OF: empty means "derive from the data"; anything but YYYY-MM-DD is an error, and
    so is a date after ``today`` (default: today in Vietnam)."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ConfigError(
            f"REFORM_AS_OF={value!r} is not a date in the form YYYY-MM-DD (for example 2025-12-31)"
        )
    try:
        as_of = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"REFORM_AS_OF={value!r} is not a real calendar date: {exc}") from None
    check_as_of_not_after(as_of, today or today_in_vietnam())
    return as_of


def check_as_of_not_after(as_of: dt.date, today: dt.date) -> None:
    """An as-of date after today measures a day that has not happened (docs/spec §3 is silent; our
    choice, docs/ingestion.md): the run stops, as for a malformed date."""
    if as_of > today:
        raise ConfigError(
            f"REFORM_AS_OF={as_of.isoformat()} is after today ({today.isoformat()} in Vietnam): "
            "nothing has happened on that day yet; set today's date or an earlier one"
        )


def parse_lock_wait(value: str | None) -> float:
    """REFORM_LOCK_WAIT_SECONDS: how long a run waits for the warehouse held by another run or
    process before it fails naming the holder (docs/operating.md). Never for ever."""
    if value is None or value.strip() == "":
        return DEFAULT_LOCK_WAIT_SECONDS
    try:
        seconds = float(value.strip())
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86400:
        raise ConfigError(
            f"REFORM_LOCK_WAIT_SECONDS={value!r} is not a number of seconds between 0 and 86400 "
            f"(default {DEFAULT_LOCK_WAIT_SECONDS:g})"
        )
    return seconds


def parse_flag(variable: str, value: str | None) -> bool:
    """A yes/no setting: 1, true or yes; 0, false, no or empty."""
    text = (value or "").strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes"):
        return True
    raise ConfigError(f"{variable}={value!r} is neither 1 nor 0")


def default_memory_limit() -> str:
    """Half of the machine's memory, at most 4 GB: DuckDB spills to its temp directory beyond
    that, and the rest stays for Python, the Dagster processes and the operating system. 4 GB
    keeps a national-scale run (10M dossiers) under 6 GiB in all; a bigger server can give more
    with REFORM_DUCKDB_MEMORY_LIMIT."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4GB"
    return f"{max(1, min(4, total // 2 // (1 << 30)))}GB"


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse: Path
    bi_db: Path
    as_of: dt.date | None
    memory_limit: str = ""  # REFORM_DUCKDB_MEMORY_LIMIT; empty: default_memory_limit()
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS  # REFORM_LOCK_WAIT_SECONDS
    accept_shrink: bool = False  # REFORM_ACCEPT_SHRINK: this run may publish a smaller BI file

    def duckdb_config(self) -> dict[str, str]:
        """Connection settings of the warehouse: bounded memory, spilling next to the file."""
        return {
            "memory_limit": self.memory_limit or default_memory_limit(),
            "temp_directory": str(self.warehouse.with_name(self.warehouse.name + ".tmp")),
            # tables are written in parallel, unordered: nothing reads rows by position, except
            # the CSV reader, which turns ordering back on for its own statement
            "preserve_insertion_order": "false",
        }

    @property
    def report_html(self) -> Path:
        """The scorecard page is written next to the BI file (issue 4)."""
        return self.bi_db.parent / "scorecard.html"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        return cls(
            raw_dir=Path(env.get("REFORM_RAW_DIR") or DEFAULT_RAW_DIR),
            warehouse=Path(env.get("REFORM_WAREHOUSE") or DEFAULT_WAREHOUSE),
            bi_db=Path(env.get("REFORM_BI_DB") or DEFAULT_BI_DB),
            as_of=parse_as_of(env.get("REFORM_AS_OF")),
            memory_limit=(env.get("REFORM_DUCKDB_MEMORY_LIMIT") or "").strip(),
            lock_wait_seconds=parse_lock_wait(env.get("REFORM_LOCK_WAIT_SECONDS")),
            accept_shrink=parse_flag("REFORM_ACCEPT_SHRINK", env.get("REFORM_ACCEPT_SHRINK")),
        )
