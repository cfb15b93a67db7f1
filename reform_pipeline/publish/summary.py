"""The run's summary for the terminal (end of ``make run``) and the Dagster UI: the as-of date,
each input file's fate, the quarantine by reason and the scorecard.

Written by the publish step from the warehouse, and carried in that step's metadata: the
command prints it from there, so a run that succeeded never has to open a file again after
publishing (which a BI reader or the next run may hold by then, docs/spec §5.1).
"""

from __future__ import annotations

import duckdb

from reform_pipeline.publish.report import scorecard_text

MAX_FILES_LISTED = 25
_SHOWN_WITH_MESSAGE = ("unreadable", "duplicate", "skipped")


_FIELDS = ("name", "kind", "status", "rows_read", "rows_quarantined", "unknown_columns", "message",
           "ignored_sheets")


def run_summary(con: duckdb.DuckDBPyConnection) -> str:
    """Each input file's status (docs/spec §5 run_info): the reason of a skipped, unreadable or
    duplicate one, its unknown columns and ignored sheets."""
    as_of, source = con.execute("SELECT as_of, as_of_source FROM meta.run_context").fetchone()
    files = [
        dict(zip(_FIELDS, row))
        for row in con.execute(
            "SELECT file_name, kind, status, rows_read, rows_quarantined, unknown_columns, message, "
            "ignored_sheets FROM meta.input_files ORDER BY kind <> 'dossiers' DESC, kind, file_name"
        ).fetchall()
    ]
    reasons = con.execute(
        "SELECT reason, count(*) FROM meta.quarantine GROUP BY reason ORDER BY reason"
    ).fetchall()
    lines = [f"  as-of date     {as_of} ({source})", "", "Rows read per file (status, rows read, rows quarantined):"]
    for entry in files[:MAX_FILES_LISTED]:
        extra = f"  unknown columns: {', '.join(entry['unknown_columns'])}" if entry["unknown_columns"] else ""
        if entry["ignored_sheets"]:
            extra += f"  ignored sheets: {', '.join(entry['ignored_sheets'])}"
        note = f"  ({entry['message']})" if entry["status"] in _SHOWN_WITH_MESSAGE else ""
        lines.append(
            f"  {entry['name']:<40} {entry['status']:<10} {entry['rows_read'] or 0:>9} "
            f"{entry['rows_quarantined'] or 0:>7}{extra}{note}"
        )
    rest = files[MAX_FILES_LISTED:]
    if rest:
        lines.append(
            f"  … and {len(rest)} more files: {sum(f['rows_read'] or 0 for f in rest)} rows read, "
            f"{sum(f['rows_quarantined'] or 0 for f in rest)} quarantined (all files: mart.run_info)"
        )
        lines += [f"  {f['name']}: {f['status']} ({f['message']})" for f in rest if f["status"] in _SHOWN_WITH_MESSAGE]
    lines.append(f"  total: {len(files)} files, {sum(f['rows_read'] or 0 for f in files)} rows read")
    lines += ["", "Rows quarantined per reason:"]
    lines += [f"  {reason:<20} {rows:>7}" for reason, rows in reasons] or ["  none"]
    lines += ["", scorecard_text(con)]
    return "\n".join(lines)
