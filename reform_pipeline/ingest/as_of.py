"""The run's as-of date (docs/spec §3): REFORM_AS_OF, else the latest date among valid dossier
rows, recorded in meta.run_context for every later stage."""

from __future__ import annotations

import datetime as dt

import duckdb

from reform_pipeline.ingest.db import value
from reform_pipeline.settings import ConfigError, check_as_of_not_after, today_in_vietnam
from reform_pipeline.warehouse import run_sql_file


def settle_as_of(
    con: duckdb.DuckDBPyConnection, configured: dt.date | None, run_day: dt.date | None = None
) -> tuple[dt.date, str]:
    """docs/spec §3: REFORM_AS_OF, else the latest date among valid dossier rows.

    ``run_day``: the day the run starts, in Vietnam (default: today there). A REFORM_AS_OF after
    it, or before the earliest received date of a valid dossier, raises ConfigError: the run
    stops here, after the ingest and before anything is modelled or published. The default
    cannot be after it: an event dated later is quarantined (docs/spec §2.1)."""
    run_day = run_day or today_in_vietnam()
    if configured is not None:
        # also checked when the setting is read (settings.parse_as_of), against that moment's day
        check_as_of_not_after(configured, run_day)
        earliest = value(con, "ingest/earliest_received_date")
        if earliest is not None and configured < earliest:
            raise ConfigError(
                f"REFORM_AS_OF={configured.isoformat()} is before the earliest received date in the "
                f"data ({earliest.isoformat()}): nothing to measure; set a date on or after it"
            )
        as_of, source = configured, "REFORM_AS_OF"
    else:
        # kept by every merge (ingest/merge.py); computed here when no merge recorded it
        as_of = value(con, "ingest/ingest_state_latest_date")
        if as_of is None:
            as_of = value(con, "ingest/latest_data_date")
        source = "latest date in the data"
        if as_of is None:
            as_of, source = run_day, "today (no valid dossier dates)"
    run_sql_file(con, "ingest/run_context_store", {"as_of": as_of, "source": source})
    return as_of, source
