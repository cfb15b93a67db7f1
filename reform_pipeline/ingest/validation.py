"""Validating the rows of a file staged as ``source_rows`` (docs/spec §2.1–2.5): the landing
views that give its positional columns their canonical names, and the validation SQL of each
input kind (sql/ingest/<kind>_rows.sql, the value rules of sql/ingest/macros.sql).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from reform_pipeline.ingest.columns import canonical_columns, map_headers
from reform_pipeline.ingest.db import query, transaction, value
from reform_pipeline.ingest.files import FileReport, Progress, ToRead, announce, forget_rows, record_files
from reform_pipeline.ingest.readers import column_names
from reform_pipeline.warehouse import execute, run_sql_file

_FILES_LISTED_PER_CHUNK = 30
TIMESTAMP_COLUMNS = (
    "submitted_at", "received_at", "due_at", "finished_at", "returned_at",
    "supplement_requested_at", "supplement_received_at", "updated_at",
)
# Codes, flags and whole numbers a Parquet export may store as integers (booleans as 1/0).
TYPED_NUMBER_COLUMNS = (
    "channel", "service_level", "status", "supplement_count", "fee_amount", "paid_online",
    "digitized_components", "result_attached", "rating", "complaint",
)


def validate_reference_file(
    con: duckdb.DuckDBPyConnection, kind: str, path: Path, headers: list[str], order: int
) -> FileReport:
    """Validate the reference file ``source_rows`` shows (``order``: its place among the files of
    ``kind``) into ``<kind>_candidates`` (docs/spec §2.2–2.5)."""
    header_map = map_headers(kind, headers)
    create_landing(con, kind, header_map.positions, len(headers), header_map.row_numbers)
    kept = [h for position, h in enumerate(header_map.headers) if position not in header_map.row_numbers]
    run_sql_file(con, f"ingest/{kind}_rows", {"source_file": path.name, "file_order": order, "headers": kept})
    rows = value(con, "ingest/landing_rows")
    return FileReport(path.name, kind, "ingested", rows_read=rows, unknown_columns=unused_columns(header_map))


def validate_dossiers(
    con, paths: list[Path], headers: list[str], typed: dict[int, str], to_read: dict[str, ToRead],
    run_day: dt.date, progress: Progress,
) -> list[FileReport]:
    """Validate the dossier exports that ``source_rows`` shows, in one pass, and store the results
    in one transaction: a crash leaves all of them or none (the next run reads them again).
    An event dated after ``run_day`` is bad_timestamp (docs/spec §2.1)."""
    header_map = map_headers("dossiers", headers)
    create_dossier_landing(con, header_map.positions, len(headers), typed, header_map.row_numbers)
    canonical = canonical_columns("dossiers")
    # the export's own row number (STT) is not data: not among the extra columns either (§2.0)
    extras = sorted(set(range(len(headers))) - set(header_map.positions.values()) - set(header_map.row_numbers))
    raw_keys = {
        "raw_headers": [
            header_map.headers[header_map.positions[column]] if column in header_map.positions else None
            for column in canonical
        ],
        "extra_headers": [header_map.headers[position] for position in extras],
    }
    replaced = {path.name for path in paths if to_read[path.name].known is not None}
    with transaction(con):
        for name in sorted(replaced):
            forget_rows(con, name)  # a re-sent export under the same name replaces its content
        batch = value(con, "ingest/dossier_batch_next")
        run_sql_file(con, "ingest/dossier_rows", {**raw_keys, "batch_seq": batch, "run_day": run_day})
        counts = {
            name: (read, rejected)
            for name, read, rejected in query(con, "ingest/dossier_batch_counts", {"batch": batch})
        }
        reports = [
            FileReport(
                path.name, "dossiers", "ingested", *counts.get(path.name, (0, 0)), unused_columns(header_map),
                message="replaced the earlier content of this file" if path.name in replaced else "",
            )
            for path in paths
        ]
        record_files(con, [(r, p, to_read[p.name].sha256) for r, p in zip(reports, paths)], merged=False, batch=batch)
    progress(
        f"validated {len(paths)} file(s): {sum(r.rows_read for r in reports)} rows read, "
        f"{sum(r.rows_quarantined for r in reports)} quarantined"
    )
    # one line per file where a person reads them; a national backfill gets the chunk totals
    # (every file's counts are in meta.input_files and the BI file's run_info)
    if len(reports) <= _FILES_LISTED_PER_CHUNK:
        for report in reports:
            announce(report, progress)
    return reports


def landing_select(kind: str, positions: dict[str, int], width: int, row_numbers=()) -> str:
    """The SELECT list that turns positional columns c0…cN into the canonical columns of ``kind``;
    raw_values holds every column but the export's own row numbers (``row_numbers``: positions).

    Only our own names appear in this SQL: canonical column names and the positional c0…cN.
    """
    names = [name for position, name in enumerate(column_names(width)) if position not in row_numbers]
    every = column_names(width)
    picks = [
        f"{every[positions[column]]} AS {column}" if column in positions else f"CAST(NULL AS VARCHAR) AS {column}"
        for column in canonical_columns(kind)
    ]
    raw = f"[{', '.join(names)}]" if names else "CAST([] AS VARCHAR[])"
    return "SELECT source_file, row_number, malformed, bad_encoding, " + ", ".join(picks) + f", {raw} AS raw_values"


def create_landing(con, kind: str, positions: dict[str, int], width: int, row_numbers=()) -> None:
    """The view ``landing`` over ``source_rows`` (reference files, read one at a time)."""
    select = landing_select(kind, positions, width, row_numbers)
    execute(con, "CREATE OR REPLACE TEMP VIEW landing AS " + select + " FROM source_rows")


def create_dossier_landing(
    con, positions: dict[str, int], width: int, typed: dict[int, str], row_numbers=()
) -> None:
    """The view ``landing`` for dossier exports: each canonical column's raw text as raw_<name>,
    the file's other columns as the list extra_values (both kept for the quarantine), and each
    timestamp, code, flag or number column as typed_<name> where the file stores it typed
    (Parquet; else NULL: read from text). A typed value has no raw_<name> text: turning every
    value into text cost more than the validation of it; the text is made only for rejected
    rows (raw_ts and raw_number in the validation SQL). Only our own names appear in this SQL."""
    names = column_names(width)

    def typed_as(column: str) -> str | None:
        """The class of the typed value the file holds for ``column``, if it is the one it needs."""
        kind = typed.get(positions[column]) if column in positions else None
        wanted = "timestamp" if column in TIMESTAMP_COLUMNS else "integer" if column in TYPED_NUMBER_COLUMNS else None
        return kind if kind == wanted else None

    picks = [
        f"{names[positions[column]]} AS raw_{column}"
        if column in positions and not typed_as(column)
        else f"CAST(NULL AS VARCHAR) AS raw_{column}"
        for column in canonical_columns("dossiers")
    ]
    picks += [
        f"t{positions[column]} AS typed_{column}" if typed_as(column)
        else f"CAST(NULL AS TIMESTAMP) AS typed_{column}"
        for column in TIMESTAMP_COLUMNS
    ]
    picks += [
        f"t{positions[column]} AS typed_{column}" if typed_as(column)
        else f"CAST(NULL AS BIGINT) AS typed_{column}"
        for column in TYPED_NUMBER_COLUMNS
    ]
    extras = [
        names[position] for position in range(width)
        if position not in positions.values() and position not in row_numbers
    ]
    extra = f"[{', '.join(extras)}]" if extras else "CAST([] AS VARCHAR[])"
    execute(
        con,
        "CREATE OR REPLACE TEMP VIEW landing AS SELECT source_file, row_number, malformed, bad_encoding, "
        + ", ".join(picks) + f", {extra} AS extra_values FROM source_rows",
    )


def unused_columns(header_map) -> list[str]:
    """Headers kept out of the marts: unknown ones, and repeats of a column already taken."""
    return list(header_map.unknown) + [f"{name} (repeated)" for name in header_map.repeated]
