"""Asset checks: is every raw row accounted for, is the data whole, fresh and plausible?

ERROR checks are blocking: when one fails, the assets downstream of the checked asset do not
run, so the BI file keeps its last good state. WARN checks only flag. Each check reads the
warehouse; its metadata holds counts and at most five example rows, never personal data
(applicant_* columns, meta.quarantine.raw_values). docs/operating.md says what to do when one
fails.

Each check is a function of a DuckDB connection (``rows_accounted_for(con)`` …), which the
tests call on tiny warehouses; Dagster runs the checks of one asset in one step (``checks_of``).
"""

# No `from __future__ import annotations`: Dagster reads the resource annotations at load time.
import datetime as dt
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)
from dagster_duckdb import DuckDBResource

from reform_pipeline.metadata import markdown_table
from reform_pipeline.ops import VIETNAM_TIMEZONE
from reform_pipeline.settings import today_in_vietnam
from reform_pipeline.warehouse import run_sql_file, scalar, sql_text, table_exists

EXAMPLES = 5
QUARANTINE_SHARE_LIMIT = 0.02
EXPORT_MAX_AGE_DAYS = 2
VOLUME_MIN_WEEKS = 4  # of the 8 previous same weekdays (sql/checks/received_same_weekday.sql)
VOLUME_FLOOR = 0.5  # of their median

WARN = AssetCheckSeverity.WARN
ERROR = AssetCheckSeverity.ERROR

# An export date in a file name: 20250310, 2025-03-10 or 2025_03_10, not inside a longer number.
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")


# --- what they compute --------------------------------------------------------------------


def rows_accounted_for(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    missing = _missing_tables(con, "meta.input_files", "meta.quarantine", "staging.dossier_rows")
    if missing:
        return missing
    files = _records(con, sql_text("checks/file_row_counts"))
    tables = _records(con, sql_text("checks/reference_rows_staged"))
    bad_files = [dict(f, problem=problem) for f in files if (problem := file_row_problem(f))]
    bad_tables = [t for t in tables if t["rows_staged"] > t["valid_rows"]]
    dossier_files = [f for f in files if f["kind"] == "dossiers"]
    metadata: dict[str, Any] = {
        "files_checked": MetadataValue.int(len(files)),
        "rows_read": MetadataValue.int(sum(f["rows_read"] or 0 for f in files)),
        "dossier_rows_staged": MetadataValue.int(sum(f["rows_staged"] or 0 for f in dossier_files)),
        "rows_quarantined": MetadataValue.int(sum(f["rows_quarantined"] for f in files)),
        "files_not_accounted_for": MetadataValue.int(len(bad_files)),
        "by_kind": MetadataValue.md(_by_kind(files)),
    }
    if bad_files:
        metadata["files_that_do_not_add_up"] = MetadataValue.md(
            markdown_table(
                ["kind", "file", "rows read", "rows staged", "rows quarantined", "problem"],
                [
                    (f["kind"], f["file_name"], f["rows_read"], f["rows_staged"], f["rows_quarantined"], f["problem"])
                    for f in bad_files[:EXAMPLES]
                ],
            )
        )
    if bad_tables:
        metadata["tables_with_more_rows_than_their_files"] = MetadataValue.md(
            markdown_table(
                ["table", "rows", "valid rows in its files"],
                [(t["table_name"], t["rows_staged"], t["valid_rows"]) for t in bad_tables],
            )
        )
    if not bad_files and not bad_tables:
        description = (
            f"All {metadata['rows_read'].value} rows read from {len(files)} files are staged or quarantined."
        )
        return AssetCheckResult(passed=True, description=description, metadata=metadata)
    parts = []
    if bad_files:
        parts.append(f"{len(bad_files)} file(s) do not add up: {_names([f['file_name'] for f in bad_files])}")
    if bad_tables:
        parts.append(f"{_names([t['table_name'] for t in bad_tables])} hold more rows than their files' valid rows")
    return AssetCheckResult(passed=False, severity=ERROR, description="; ".join(parts) + ".", metadata=metadata)


def file_row_problem(row: dict) -> str | None:
    """Why one file's rows do not add up (a row of sql/checks/file_row_counts.sql), or None."""
    read, staged, quarantined = row["rows_read"], row["rows_staged"], row["rows_quarantined"]
    recorded = row["rows_quarantined_recorded"] or 0
    if row["kind"] == "dossiers":
        if read is None:
            return f"{staged + quarantined} rows stored but no ingested export of this name"
        if read != staged + quarantined:
            return f"read {read} ≠ staged {staged} + quarantined {quarantined}"
        # run_info shows the recorded count: it must be the quarantine's, re-checks included (docs/spec §5)
        if quarantined != recorded:
            return f"quarantine holds {quarantined} rows, meta.input_files (run_info) records {recorded}"
        return None
    if quarantined != recorded:
        return f"quarantine holds {quarantined} rows, the ingest counted {recorded}"
    if quarantined > read:
        return f"quarantined {quarantined} > read {read}"
    return None


def unreadable_files(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    """docs/spec §2.0: a file that could not be read, or whose previous version is kept (a corrupt
    re-send, or an ingested export now skipped), fails this WARN check; files skipped by name or
    size alone (a zip, an empty file, a link out of the raw folder) are counted in its metadata."""
    missing = _missing_tables(con, "meta.input_files", severity=WARN)
    if missing:
        return missing
    files = _records(
        con,
        "SELECT file_name, kind, status, message, coalesce(previous_version_kept, FALSE) AS kept "
        "FROM meta.input_files WHERE status = 'unreadable' OR coalesce(previous_version_kept, FALSE) "
        "ORDER BY file_name",
    )
    skipped = con.execute("SELECT count(*) FROM meta.input_files WHERE status = 'skipped'").fetchone()[0]
    kept = [f for f in files if f["kept"]]
    metadata: dict[str, Any] = {
        "files_unreadable": MetadataValue.int(sum(f["status"] == "unreadable" for f in files)),
        "files_previous_version_kept": MetadataValue.int(len(kept)),
        "files_skipped": MetadataValue.int(skipped),
    }
    if not files:
        note = f" ({skipped} file(s) skipped, listed in run_info)" if skipped else ""
        return AssetCheckResult(passed=True, severity=WARN, description=f"Every input file could be read{note}.",
                                metadata=metadata)
    metadata["files"] = MetadataValue.md(
        markdown_table(["file", "kind", "status", "why"],
                       [(f["file_name"], f["kind"], f["status"], f["message"]) for f in files[:EXAMPLES]])
    )
    description = f"{len(files)} input file(s) could not be read: " + _names(
        [f"{f['file_name']} ({f['status']}: {f['message']})" for f in files])
    if kept:
        description += (
            f"; {len(kept)} of them keep the rows of their previous version until a readable one replaces it"
        )
    return AssetCheckResult(passed=False, severity=WARN, description=description + ".", metadata=metadata)


def quarantine_share(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    missing = _missing_tables(con, "meta.input_files", "meta.quarantine", "staging.dossier_rows", severity=WARN)
    if missing:
        return missing
    files = [f for f in _records(con, sql_text("checks/file_row_counts")) if f["rows_read"]]
    for f in files:
        f["share"] = f["rows_quarantined"] / f["rows_read"]
    over = [f for f in files if f["share"] > QUARANTINE_SHARE_LIMIT]
    over.sort(key=lambda f: (-f["share"], f["file_name"]))
    metadata: dict[str, Any] = {
        "files_checked": MetadataValue.int(len(files)),
        "files_over_limit": MetadataValue.int(len(over)),
        "limit": MetadataValue.text(f"{QUARANTINE_SHARE_LIMIT:.0%} of a file's rows"),
        "rows_quarantined": MetadataValue.int(sum(f["rows_quarantined"] for f in files)),
    }
    if not over:
        worst = max(files, key=lambda f: f["share"], default=None)
        note = f" (highest: {worst['file_name']}, {worst['share']:.1%})" if worst and worst["share"] else ""
        description = f"No file quarantines more than {QUARANTINE_SHARE_LIMIT:.0%} of its rows{note}."
        return AssetCheckResult(passed=True, severity=WARN, description=description, metadata=metadata)
    metadata["files"] = MetadataValue.md(
        markdown_table(
            ["file", "kind", "rows read", "rows quarantined", "share"],
            [
                (f["file_name"], f["kind"], f["rows_read"], f["rows_quarantined"], f"{f['share']:.1%}")
                for f in over[:EXAMPLES]
            ],
        )
    )
    reasons = con.execute(
        "SELECT reason, count(*) AS rows FROM meta.quarantine WHERE source_file IN (SELECT unnest(?)) "
        "GROUP BY reason ORDER BY rows DESC, reason",
        [[f["file_name"] for f in over]],
    ).fetchall()
    metadata["reasons_in_these_files"] = MetadataValue.md(markdown_table(["reason", "rows"], reasons))
    named = _names([f"{f['file_name']} ({f['share']:.1%})" for f in over])
    description = f"{len(over)} file(s) quarantine more than {QUARANTINE_SHARE_LIMIT:.0%} of their rows: {named}."
    return AssetCheckResult(passed=False, severity=WARN, description=description, metadata=metadata)


def export_date(file_name: str, modified_at: dt.datetime | None) -> tuple[dt.date | None, str]:
    """The date of an export: the first real YYYYMMDD date in its name, else the day (in Vietnam)
    of its modification time (stored as the ingesting machine's local time)."""
    for match in _NAME_DATE.finditer(file_name):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3])), "file name"
        except ValueError:
            continue
    if modified_at is None:
        return None, "unknown"
    return modified_at.astimezone(ZoneInfo(VIETNAM_TIMEZONE)).date(), "modification time"


def export_freshness(con: duckdb.DuckDBPyConnection, today: dt.date) -> AssetCheckResult:
    missing = _missing_tables(con, "meta.input_files", severity=WARN)
    if missing:
        return missing
    files = con.execute(
        "SELECT file_name, modified_at FROM meta.input_files WHERE kind = 'dossiers' AND status = 'ingested'"
    ).fetchall()
    dated = sorted(
        ((date, name, source) for name, modified in files for date, source in [export_date(name, modified)] if date),
        reverse=True,
    )
    if not dated:
        return AssetCheckResult(
            passed=False, severity=WARN, description="No dossier export has been ingested yet.",
            metadata={"today": MetadataValue.text(today.isoformat())},
        )
    newest_date, newest_name, source = dated[0]
    age = (today - newest_date).days
    metadata = {
        "newest_export": MetadataValue.text(newest_name),
        "export_date": MetadataValue.text(newest_date.isoformat()),
        "date_from": MetadataValue.text(source),
        "today_in_vietnam": MetadataValue.text(today.isoformat()),
        "age_days": MetadataValue.int(age),
        "max_age_days": MetadataValue.int(EXPORT_MAX_AGE_DAYS),
        "newest_exports": MetadataValue.md(
            markdown_table(
                ["file", "export date", "date from"], [(n, d.isoformat(), s) for d, n, s in dated[:EXAMPLES]]
            )
        ),
    }
    passed = age <= EXPORT_MAX_AGE_DAYS
    description = (
        f"Newest export {newest_name} is dated {newest_date} (from its {source}), {age} day(s) before "
        f"today {today} in Vietnam" + ("." if passed else f": more than {EXPORT_MAX_AGE_DAYS} days old.")
    )
    return AssetCheckResult(passed=passed, severity=WARN, description=description, metadata=metadata)


def unit_tree(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    missing = _missing_tables(con, "staging.agencies")
    if missing:
        return missing
    problems = _records(con, sql_text("checks/unit_tree_problems"))
    units = scalar(con, "SELECT count(*) FROM staging.agencies")
    roots = [
        row[0]
        for row in con.execute(
            "SELECT agency_code FROM staging.agencies WHERE parent_code IS NULL "
            "ORDER BY valid_to IS NOT NULL, agency_code"
        ).fetchall()
    ]
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem["problem"]] = counts.get(problem["problem"], 0) + 1
    metadata: dict[str, Any] = {
        "units": MetadataValue.int(units),
        "roots": MetadataValue.text(", ".join(roots[:EXAMPLES]) + (" …" if len(roots) > EXAMPLES else "")),
        "max_depth": MetadataValue.int(scalar(con, "SELECT coalesce(max(depth), 0) FROM staging.agencies")),
        "problems": MetadataValue.int(len(problems)),
    }
    if not problems:
        ended_roots = len(roots) - 1
        description = f"{units} units form one tree under {roots[0]}" + (
            f", with {ended_roots} merged province(s) that ended." if ended_roots else "."
        )
        return AssetCheckResult(passed=True, description=description, metadata=metadata)
    metadata["problems_by_kind"] = MetadataValue.md(markdown_table(["problem", "units"], sorted(counts.items())))
    metadata["examples"] = MetadataValue.md(
        markdown_table(
            ["problem", "agency_code", "parent_code", "depth", "expected depth"],
            [
                (p["problem"], p["agency_code"], p["parent_code"], p["depth"], p["expected_depth"])
                for p in problems[:EXAMPLES]
            ],
        )
    )
    summary = ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))
    return AssetCheckResult(
        passed=False, severity=ERROR, description=f"staging.agencies is not one tree: {summary}.", metadata=metadata
    )


def dossier_ids_unique(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    missing = _missing_tables(con, "model.dossier_facts")
    if missing:
        return missing
    run_sql_file(con, "checks/dossier_id_repeats")
    repeated, rows_involved = con.execute(
        "SELECT count(*), coalesce(sum(fact_rows), 0) FROM check_dossier_id_repeats"
    ).fetchone()
    metadata: dict[str, Any] = {
        "fact_rows": MetadataValue.int(scalar(con, "SELECT count(*) FROM model.dossier_facts")),
        "repeated_or_null_ids": MetadataValue.int(repeated),
        "rows_involved": MetadataValue.int(rows_involved),
    }
    if not repeated:
        description = f"{metadata['fact_rows'].value} fact rows, one per dossier_id."
        return AssetCheckResult(passed=True, description=description, metadata=metadata)
    examples = con.execute(
        "SELECT dossier_id, fact_rows FROM check_dossier_id_repeats ORDER BY fact_rows DESC, dossier_id LIMIT ?",
        [EXAMPLES],
    ).fetchall()
    metadata["examples"] = MetadataValue.md(markdown_table(["dossier_id", "fact rows"], examples))
    description = (
        f"{repeated} dossier_id value(s) are repeated or NULL in model.dossier_facts ({rows_involved} rows)."
    )
    return AssetCheckResult(passed=False, severity=ERROR, description=description, metadata=metadata)


def received_volume(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    missing = _missing_tables(con, "model.dossier_facts", severity=WARN)
    if missing:
        return missing
    days = _records(con, sql_text("checks/received_same_weekday"))
    if not days:
        return AssetCheckResult(
            passed=True, severity=WARN, description="Skipped: no accepted dossier in model.dossier_facts."
        )
    latest, previous = days[0], days[1:]
    metadata: dict[str, Any] = {
        "latest_day": MetadataValue.text(f"{latest['day']} ({latest['day']:%A})"),
        "dossiers_received": MetadataValue.int(latest["dossiers_received"]),
        "comparable_weeks": MetadataValue.int(len(previous)),
        "same_weekday": MetadataValue.md(
            markdown_table(
                ["weeks back", "day", "dossiers received"],
                [(d["weeks_back"], d["day"].isoformat(), d["dossiers_received"]) for d in days],
            )
        ),
    }
    if len(previous) < VOLUME_MIN_WEEKS:
        description = (
            f"Skipped: only {len(previous)} comparable week(s) before {latest['day']} "
            f"(at least {VOLUME_MIN_WEEKS} needed)."
        )
        return AssetCheckResult(passed=True, severity=WARN, description=description, metadata=metadata)
    median = statistics.median(d["dossiers_received"] for d in previous)
    floor = VOLUME_FLOOR * median
    metadata["median_same_weekday"] = MetadataValue.float(float(median))
    metadata["floor"] = MetadataValue.float(float(floor))
    passed = latest["dossiers_received"] >= floor
    description = (
        f"{latest['day']:%A} {latest['day']}: {latest['dossiers_received']} dossiers received; "
        f"median of the previous {len(previous)} {latest['day']:%A}s {median:g}"
        + ("." if passed else f", so below half of it ({floor:g}).")
    )
    return AssetCheckResult(passed=passed, severity=WARN, description=description, metadata=metadata)


def rates_in_unit_interval(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    missing = _missing_tables(con, "model.unit_metrics", "meta.metric_catalogue")
    if missing:
        return missing
    run_sql_file(con, "checks/rates_outside_unit_interval")
    checked = scalar(con, "SELECT rows FROM check_rate_rows_checked")
    by_metric = con.execute(
        "SELECT metric_code, count(*), min(value), max(value) FROM check_rates_outside "
        "GROUP BY metric_code ORDER BY metric_code"
    ).fetchall()
    outside = sum(row[1] for row in by_metric)
    metadata: dict[str, Any] = {
        "rate_rows_checked": MetadataValue.int(checked),
        "rate_rows_outside_0_1": MetadataValue.int(outside),
    }
    if not outside:
        description = f"All {checked} rate values are in [0, 1] or NULL."
        return AssetCheckResult(passed=True, description=description, metadata=metadata)
    metadata["by_metric"] = MetadataValue.md(markdown_table(["metric_code", "rows", "min", "max"], by_metric))
    examples = con.execute(
        "SELECT scope_code, period_type, period_start, metric_code, numerator, denominator, value "
        "FROM check_rates_outside ORDER BY metric_code, scope_code, period_type, period_start LIMIT ?",
        [EXAMPLES],
    ).fetchall()
    metadata["examples"] = MetadataValue.md(
        markdown_table(
            ["scope_code", "period_type", "period_start", "metric_code", "numerator", "denominator", "value"], examples
        )
    )
    summary = ", ".join(f"{code} ({rows})" for code, rows, _, _ in by_metric)
    description = f"{outside} rate value(s) outside [0, 1] in model.unit_metrics: {summary}."
    return AssetCheckResult(passed=False, severity=ERROR, description=description, metadata=metadata)


def ended_units_reach_a_current_unit(con: duckdb.DuckDBPyConnection) -> AssetCheckResult:
    missing = _missing_tables(con, "model.unit_metrics_current", "model.units", "model.dossier_facts")
    if missing:
        return missing
    problems = _records(con, sql_text("checks/ended_units_without_current_unit"))
    ended, alive = con.execute(
        "SELECT count(*) FILTER (WHERE NOT alive), count(*) FILTER (WHERE alive) FROM model.units"
    ).fetchone()
    lost = [p for p in problems if p["problem"] == "no_current_unit"]
    metadata: dict[str, Any] = {
        "units_alive_at_as_of": MetadataValue.int(alive),
        "units_not_alive_at_as_of": MetadataValue.int(ended),
        "dossiers_without_current_unit": MetadataValue.int(sum(p["dossiers"] for p in lost)),
    }
    if not problems:
        description = (
            f"Every dossier of the {ended} unit(s) not alive at the as-of date reaches one of the "
            f"{alive} units alive then; each year's dossiers are all counted on today's tree."
        )
        return AssetCheckResult(passed=True, description=description, metadata=metadata)
    metadata["problems"] = MetadataValue.md(markdown_table(
        ["problem", "receiving unit", "year", "dossiers", "counted on today's tree"],
        [(p["problem"], p["agency_code"], p["year"], p["dossiers"], p["counted"]) for p in problems[:EXAMPLES]],
    ))
    parts = []
    if lost:
        units = ", ".join(p["agency_code"] for p in lost[:EXAMPLES]) + (" …" if len(lost) > EXAMPLES else "")
        parts.append(
            f"{sum(p['dossiers'] for p in lost)} dossier(s) of {len(lost)} ended unit(s) reach no unit alive "
            f"at the as-of date ({units}): name a successor for the ended root above them in unit_changes "
            "(docs/spec §2.6)"
        )
    differing = [p for p in problems if p["problem"] == "year_total_differs"]
    if differing:
        parts.append("yearly totals on today's tree differ from the dossiers received in " + ", ".join(
            f"{p['year']} ({p['counted']} of {p['dossiers']})" for p in differing))
    return AssetCheckResult(passed=False, severity=ERROR, description="; ".join(parts) + ".", metadata=metadata)


# --- helpers ------------------------------------------------------------------------------


def _records(con: duckdb.DuckDBPyConnection, query: str, params: Any = None) -> list[dict]:
    cursor = con.execute(query, params) if params is not None else con.execute(query)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _missing_tables(
    con: duckdb.DuckDBPyConnection, *tables: str, severity: AssetCheckSeverity = ERROR
) -> AssetCheckResult | None:
    """A failed result naming the tables that do not exist yet (the check ran before its asset)."""
    absent = [name for name in tables if not table_exists(con, *name.split("."))]
    if not absent:
        return None
    return AssetCheckResult(
        passed=False,
        severity=severity,
        description=f"{', '.join(absent)} does not exist yet: materialize the asset first.",
        metadata={"missing_tables": MetadataValue.text(", ".join(absent))},
    )


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:EXAMPLES])
    return shown + (f" and {len(names) - EXAMPLES} more" if len(names) > EXAMPLES else "")


def _by_kind(files: list[dict]) -> str:
    kinds: dict[str, list[int]] = {}
    for f in files:
        totals = kinds.setdefault(f["kind"], [0, 0, 0, 0])
        totals[0] += 1
        totals[1] += f["rows_read"] or 0
        totals[2] += f["rows_staged"] or 0
        totals[3] += f["rows_quarantined"]
    return markdown_table(
        ["kind", "files", "rows read", "rows staged", "rows quarantined"],
        [(kind, *totals) if kind == "dossiers" else (kind, totals[0], totals[1], None, totals[3])
         for kind, totals in sorted(kinds.items())],
    )


# --- the checks, as Dagster sees them -------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One asset check: its name, the asset it checks, its severity (ERROR checks block the
    assets downstream), what it means (shown in the UI) and the function that evaluates it."""

    name: str
    asset: str
    severity: AssetCheckSeverity
    description: str
    evaluate: Callable[[duckdb.DuckDBPyConnection], AssetCheckResult]

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(AssetKey(self.asset), self.name)


# in the order the assets are materialized
CHECKS = [
    Check("unit_tree_is_one_tree", "units", ERROR,
          "ERROR, blocking. staging.agencies is one tree with its history (docs/spec §2.3): exactly one "
          "root without valid_to (ended roots are merged provinces), every parent exists and its life "
          "covers its child's, every depth is its parent's + 1, no repeated code. Every metric of "
          "a unit sums its subtree, so a broken tree makes every number wrong.",
          unit_tree),
    Check("raw_rows_accounted_for", "dossiers", ERROR,
          "ERROR, blocking. Every row read from an input file is either staged or quarantined "
          "(docs/spec §2): per dossier export, rows read = valid rows in staging.dossier_rows + rows in "
          "meta.quarantine; per file, the quarantine holds exactly the rows recorded as quarantined "
          "(what run_info shows, docs/spec §5), and no reference table holds more rows than its files' "
          "valid rows.",
          rows_accounted_for),
    Check("every_input_file_readable", "dossiers", WARN,
          "WARN. Every input file in the raw folder could be read; names the files that could not "
          "(a broken workbook, a damaged Parquet file …) and why. They are skipped, and tried again "
          "on the next run; a dossier export once ingested keeps the rows of its last readable "
          "version (docs/spec §2.0, `unreadable (previous version kept)`).",
          unreadable_files),
    Check("quarantine_share_within_2_percent", "dossiers", WARN,
          "WARN. No input file has more than 2% of its rows in quarantine; names the files that do "
          "and the reasons (run log and mart.quarantine_summary have the rest).",
          quarantine_share),
    Check("newest_export_within_2_days", "dossiers", WARN,
          "WARN. The newest ingested dossier export is at most 2 days older than today in Vietnam "
          "(its date from the YYYYMMDD in its name, else its modification time). Older means the "
          "nightly export stopped arriving.",
          lambda con: export_freshness(con, today_in_vietnam())),
    Check("dossier_id_unique", "dossier_facts", ERROR,
          "ERROR, blocking. model.dossier_facts has exactly one row per dossier_id (docs/spec §4.2): a "
          "repeated dossier would be counted twice in every metric.",
          dossier_ids_unique),
    Check("latest_day_volume_not_halved", "dossier_facts", WARN,
          "WARN. Dossiers received province-wide on the latest day in the data are not below half "
          "the median of the same weekday over the previous 8 weeks (skipped with fewer than 4 "
          "comparable weeks). A drop usually means a partial export or a unit missing from it.",
          received_volume),
    Check("rates_within_0_1", "unit_metrics", ERROR,
          "ERROR, blocking. Every rate in model.unit_metrics lies in [0, 1] or is NULL (docs/spec §4.4; "
          "internal_units_reduction may be negative where units were added; "
          "the metric codes of kind rate in meta.metric_catalogue). A rate outside means a "
          "numerator that counts dossiers its denominator does not.",
          rates_in_unit_interval),
    Check("ended_units_reach_a_current_unit", "unit_metrics_current", ERROR,
          "ERROR, blocking. Every dossier received by a unit that has ended reaches a unit alive at the "
          "as-of date (its current unit: its successor's, else its parent's; docs/spec §4.7), and each "
          "year's dossiers are all counted on today's tree. A merged province whose successor "
          "unit_changes does not name would drop out of every restated number and of the scorecard.",
          ended_units_reach_a_current_unit),
]


def evaluate_check(check: Check, con: duckdb.DuckDBPyConnection, log: Any = None) -> AssetCheckResult:
    """``check`` evaluated on ``con``, as the result of that check. A check that raises fails
    with its severity and the error as its description, so that the other checks evaluated in
    the same step still report (and a failing ERROR check still blocks)."""
    try:
        result = check.evaluate(con)
    except Exception as exc:  # noqa: BLE001 - reported as the check's result, with the traceback logged
        if log is not None:
            log.exception(f"check {check.name} could not run")
        result = AssetCheckResult(
            passed=False, severity=check.severity,
            description=f"The check could not run: {type(exc).__name__}: {exc}",
            metadata={"error": MetadataValue.text(f"{type(exc).__name__}: {exc}")},
        )
    return AssetCheckResult(
        passed=result.passed, asset_key=check.asset, check_name=check.name,
        metadata=result.metadata, severity=result.severity, description=result.description,
    )


def checks_of(asset: str) -> AssetChecksDefinition:
    """The checks of ``asset`` as one Dagster step: one warehouse connection and one step per
    asset instead of one per check, each of which cost the run a Dagster step of its own
    (docs/decisions/0007-check-steps.md). Each check keeps its own key, history, severity and
    blocking flag in the UI, and can still be run alone (``can_subset``)."""
    checks = [check for check in CHECKS if check.asset == asset]

    @multi_asset_check(
        name=f"{asset}_checks",
        specs=[
            AssetCheckSpec(check.name, asset=asset, description=check.description,
                           blocking=check.severity == ERROR)
            for check in checks
        ],
        can_subset=True,
        description=f"The asset checks of {asset}, evaluated on one warehouse connection.",
    )
    def asset_checks(context: AssetCheckExecutionContext, warehouse: DuckDBResource):
        selected = context.selected_asset_check_keys
        with warehouse.get_connection() as con:
            for check in checks:
                if check.key in selected:
                    yield evaluate_check(check, con, context.log)

    return asset_checks


def all_check_steps() -> list[AssetChecksDefinition]:
    """One check step per asset that CHECKS names, in the order CHECKS first names them (the
    order the assets are materialized)."""
    return [checks_of(asset) for asset in dict.fromkeys(check.asset for check in CHECKS)]


ALL_CHECKS = all_check_steps()
