"""``make run``: materialize every asset once on the raw folder and print a summary.

    python -m reform_pipeline.run

Honours the REFORM_* variables (SPEC §3). When DAGSTER_HOME is set (the Makefile sets it to
``.dagster_home``) the run is recorded there and shows in the UI's run history.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time

import duckdb
from dagster import DagsterInstance, materialize

from reform_pipeline.ingest.build import MissingInput, discover
from reform_pipeline.publish.report import scorecard_text
from reform_pipeline.resources import resources_from
from reform_pipeline.settings import ConfigError, Settings

# Dagster's own engine events are DEBUG; the pipeline's progress lines are INFO.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
MAX_FILES_LISTED = 25


def main() -> int:
    try:
        settings = Settings.from_env()
        preflight(settings)
    except (ConfigError, MissingInput) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from reform_pipeline.definitions import ALL_ASSETS, ALL_CHECKS

    with DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral() as instance:
        started = time.perf_counter()
        result = materialize(
            ALL_ASSETS + ALL_CHECKS,
            resources=resources_from(settings),
            instance=instance,
            run_config=RUN_CONFIG,
            raise_on_error=False,
            tags={"started_by": "make run"},
        )
    elapsed = time.perf_counter() - started
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                print(f"error in step {event.step_key}: {error.message.strip() if error else ''}", file=sys.stderr)
        print_checks(result, sys.stderr)
        print("the run failed; the previous BI file, if any, was left in place", file=sys.stderr)
        return 1
    print_summary(settings, elapsed)
    print_checks(result, sys.stdout)
    return 0


def print_checks(result, out) -> None:
    """The asset checks that failed (ERROR) or warned (WARN), with what they found."""
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    print(f"Checks: {len(evaluations) - len(failed)} of {len(evaluations)} passed", file=out)
    for e in failed:
        print(f"  {e.severity.value:<5} {e.asset_key.to_user_string()} {e.check_name}: {e.description}", file=out)
    if failed:
        print("  (what each check means and what to do: docs/operating.md)", file=out)


def preflight(settings: Settings) -> None:
    """Fail early, with a message that names the folder, when a required input is missing."""
    files = discover(settings.raw_dir)
    for kind in ("agencies", "procedures"):
        if not files[kind]:
            raise MissingInput(
                f"no {kind} file in {settings.raw_dir}: expected {kind}*.csv, {kind}*.xlsx or {kind}*.parquet"
            )


def print_summary(settings: Settings, elapsed: float) -> None:
    with duckdb.connect(str(settings.bi_db), read_only=True) as bi:
        as_of, source, built_at, files = bi.execute(
            "SELECT as_of, as_of_source, built_at, files FROM mart.run_info"
        ).fetchone()
        reasons = bi.execute(
            "SELECT reason, sum(rows) FROM mart.quarantine_summary GROUP BY reason ORDER BY reason"
        ).fetchall()
        print()
        print(f"reform_pipeline: run finished in {elapsed:.1f} s")
        print(f"  as-of date     {as_of} ({source})")
        print(f"  warehouse      {settings.warehouse}")
        print(f"  BI file        {settings.bi_db}")
        print(f"  scorecard page {settings.report_html}")
        print()
        print("Rows read per file (status, rows read, rows quarantined):")
        listed = [f for f in files if f["kind"] != "dossiers"] + [f for f in files if f["kind"] == "dossiers"]
        for entry in listed[:MAX_FILES_LISTED]:
            extra = f"  unknown columns: {', '.join(entry['unknown_columns'])}" if entry["unknown_columns"] else ""
            note = f"  ({entry['message']})" if entry["status"] in ("unreadable", "duplicate") else ""
            print(
                f"  {entry['name']:<40} {entry['status']:<10} {entry['rows_read'] or 0:>9} "
                f"{entry['rows_quarantined'] or 0:>7}{extra}{note}"
            )
        if len(listed) > MAX_FILES_LISTED:
            rest = listed[MAX_FILES_LISTED:]
            print(
                f"  … and {len(rest)} more files: {sum(f['rows_read'] or 0 for f in rest)} rows read, "
                f"{sum(f['rows_quarantined'] or 0 for f in rest)} quarantined (all files: mart.run_info)"
            )
        problems = [f for f in files[MAX_FILES_LISTED:] if f["status"] in ("unreadable", "duplicate")]
        for entry in problems:
            print(f"  {entry['name']}: {entry['status']} ({entry['message']})")
        total_read = sum(f["rows_read"] or 0 for f in files)
        print(f"  total: {len(files)} files, {total_read} rows read")
        print()
        print("Rows quarantined per reason:")
        for reason, rows in reasons:
            print(f"  {reason:<20} {rows:>7}")
        if not reasons:
            print("  none")
        print()
    with duckdb.connect(str(settings.warehouse), read_only=True) as warehouse:
        print(scorecard_text(warehouse))


def exit_now(code: int) -> None:
    """Leave with ``code`` once everything is printed, without the interpreter's final garbage
    collection: by then every file is written and closed, and that collection over Dagster's
    objects took ~0.8 s of a 1M run (benchmarks/README.md)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    # The code location lives as long as the command: frozen out of the garbage collector's
    # sight, it no longer lengthens the collector's passes during the run (benchmarks/README.md).
    # Only here, where exit_now follows: frozen objects are never freed, which a normal
    # interpreter exit reports (DuckDB's bindings list them as leaked).
    import reform_pipeline.definitions  # noqa: F401

    gc.freeze()
    exit_now(main())
