"""The latest version of each dossier (docs/spec §2.1): merging the ingested exports into
staging.dossiers (the rows of staging.dossier_rows flagged is_latest), in full or by the new
exports alone, and the re-checks that precede a merge.

The latest-version rule has one definition, the macro dossier_version() of
sql/ingest/macros.sql: the nightly merge (sql/ingest/dossiers_merge.sql) orders by it, and the
full rebuild (sql/ingest/dossiers_latest.sql) uses a packed integer of the same order.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import duckdb

from reform_pipeline.ingest.db import query, transaction, value
from reform_pipeline.ingest.files import Progress
from reform_pipeline.warehouse import run_sql_file

log = logging.getLogger(__name__)

# Above this share of new rows, rebuilding the latest-version table beats merging into it.
_FULL_REBUILD_SHARE = 0.25
# The id whose id_key() stands for the key function (ingest/macros.sql) and DuckDB's hash() in
# meta.ingest_state.dossier_key_hash: a change of either changes it. Dated, so that both parts
# of the key are exercised.
_DOSSIER_KEY_PROBE = "HS-000.00.00.H00 Đ-250101-0001"


@dataclass(frozen=True)
class IngestState:
    """What the last merge recorded (meta.ingest_state, sql/ingest/schema.sql)."""

    # md5 of the unit and procedure codes the stored rows were checked against
    reference_fingerprint: str | None
    # stored rows were removed or re-checked since: the next merge rebuilds in full
    needs_full_rebuild: bool | None
    # the latest date among valid dossier rows (docs/spec §3's default as-of)
    latest_data_date: dt.date | None
    # id_key() of _DOSSIER_KEY_PROBE when the stored keys were computed
    dossier_key_hash: int | None
    # the quarantine counts in meta.input_files follow every re-check (docs/spec §5 run_info)
    quarantine_counts_current: bool | None


def read_state(con: duckdb.DuckDBPyConnection) -> IngestState | None:
    """The state the last merge left; None before the first merge."""
    rows = query(con, "ingest/ingest_state")
    return IngestState(*rows[0]) if rows else None


def quarantine_future_events(con: duckdb.DuckDBPyConnection, run_day: dt.date, progress: Progress) -> None:
    """Quarantine the stored rows with an event dated after ``run_day`` (docs/spec §2.1). Rows
    validated under that rule never hold one (their events lie on or before an earlier run's
    day), so only a warehouse whose latest valid date is after the run's day (rows read before
    the rule, a 2099 typed for 2025) has any: a look at meta.ingest_state, not at the rows, on
    every other night. The next merge then rebuilds the latest versions and the latest date."""
    latest = value(con, "ingest/ingest_state_latest_date")
    if latest is None or latest <= run_day:
        return
    with transaction(con):
        run_sql_file(con, "ingest/dossier_future_recheck", {"run_day": run_day})
        run_sql_file(con, "ingest/dossier_quarantine_counts")
        run_sql_file(con, "ingest/ingest_state_needs_rebuild")
        moved = value(con, "ingest/future_event_count")
    progress(f"{moved} stored dossier row(s) dated after {run_day} quarantined as bad_timestamp")


def merge_dossiers(con: duckdb.DuckDBPyConnection) -> str:
    """Bring staging.dossiers up to date with every ingested export not merged yet (docs/spec
    §2.1). Returns the kind of merge: "full", "incremental" or "none"."""
    fingerprint = value(con, "ingest/reference_fingerprint")
    state = read_state(con)
    if state is not None and not state.quarantine_counts_current:
        # a warehouse from before the counts followed the re-checks (docs/spec §5 run_info)
        with transaction(con):
            run_sql_file(con, "ingest/dossier_quarantine_counts")
            run_sql_file(con, "ingest/ingest_state_counts_current")
    run_sql_file(con, "ingest/ingest_batch")
    pending = value(con, "ingest/ingest_batch_count")
    # Rows are checked against the reference data of the run that reads them; only rows read
    # under an earlier unit tree or catalogue need a re-check.
    first_merge = state is None
    reference_changed = not first_merge and state.reference_fingerprint != fingerprint
    if not pending and not reference_changed and not (state and state.needs_full_rebuild):
        return "none"
    # the smallest validation batch of the files to merge: their rows lie in batches from there on
    first_batch = value(con, "ingest/ingest_batch_first")
    in_batch = {"first_batch": first_batch}
    key_hash = value(con, "ingest/dossier_key_probe", {"text": _DOSSIER_KEY_PROBE})
    with transaction(con):
        refresh_dossier_keys(con, state, key_hash)
        if reference_changed:
            run_sql_file(con, "ingest/dossier_recheck")
            # the re-check moved rows in and out of the quarantine: run_info must count them as
            # it does (docs/spec §5)
            run_sql_file(con, "ingest/dossier_quarantine_counts")
        new_rows = value(con, "ingest/ingest_batch_rows", in_batch)
        all_rows = value(con, "ingest/dossier_rows_count")
        full = (
            first_merge or reference_changed or state.needs_full_rebuild
            or new_rows > _FULL_REBUILD_SHARE * all_rows
        )
        if full:
            run_sql_file(con, "ingest/dossiers_latest")
        else:
            run_sql_file(con, "ingest/dossiers_merge", in_batch)
        if full or state.latest_data_date is None:
            latest = value(con, "ingest/latest_data_date")
        else:
            # rows are only added since the last merge (a removal forces a full one): the new
            # rows can only move the latest date forward
            new_latest = value(con, "ingest/latest_data_date_in_batch", in_batch)
            latest = max(d for d in (state.latest_data_date, new_latest) if d is not None)
        run_sql_file(con, "ingest/ingest_batch_merged")
        run_sql_file(con, "ingest/ingest_state_store", {"fingerprint": fingerprint, "latest": latest, "key_hash": key_hash})
    return "full" if full else "incremental"


def refresh_dossier_keys(con: duckdb.DuckDBPyConnection, state: IngestState | None, key_hash: int) -> None:
    """Make every stored dossier_key equal id_key(dossier_id) under this DuckDB (docs/spec §2.1).

    The keys are written with each row (ingest/dossier_rows.sql). DuckDB does not promise that
    hash() stays the same across releases, and the key's form may change with the pipeline: when
    the probe's key recorded by the last merge differs from today's (or none was recorded), every
    key is computed again, once. A key that went stale would hide a dossier's current row from
    the nightly merge."""
    if state is None:
        # The first merge: the rows were written by this run's DuckDB, unless an earlier run
        # (perhaps under another DuckDB) stopped before its merge.
        if value(con, "ingest/dossier_keys_stale"):
            run_sql_file(con, "ingest/dossier_keys_recompute")
    elif state.dossier_key_hash != key_hash:
        log.info("computing the dossier keys of every stored row (once after a DuckDB upgrade)")
        run_sql_file(con, "ingest/dossier_keys_recompute")
