"""Run the pipeline's stages one by one, without Dagster, and print their timings as JSON.

    python benchmarks/stages.py --raw DIR --warehouse FILE --bi FILE [--only ingest]

Called by benchmarks/bench.py in a child process so that its peak memory is measured alone.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb

from reform_pipeline.ingest.build import discover, ingest_dossiers, ingest_reference, settle_as_of
from reform_pipeline.model.build import (
    build_calendar, build_dossier_facts, build_unit_history, build_unit_metrics, build_unit_metrics_current,
)
from reform_pipeline.publish.bi import publish_bi
from reform_pipeline.publish.report import write_scorecard_html
from reform_pipeline.score.build import build_index_766, build_scorecard
from reform_pipeline.settings import Settings


def count(con, table: str) -> int:
    return con.execute("SELECT count(*) FROM query_table($t)", {"t": table}).fetchall()[0][0]


def run_stages(raw: Path, warehouse: Path, bi: Path, only: str = "all", on_stage=None) -> dict:
    """Run the stages on ``raw`` in a fresh warehouse; ``on_stage(name)`` is called as each
    one starts. Returns the timings and the row counts that main() prints."""
    settings = Settings(raw, warehouse, bi, None)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), config=settings.duckdb_config())
    stages: list[dict] = []

    def timed(name: str, work, rows_in) -> None:
        if on_stage is not None:
            on_stage(name)
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        rows = rows_in(result) if callable(rows_in) else rows_in
        stages.append({"stage": name, "seconds": round(seconds, 3), "rows": rows})

    def ingest():
        files = discover(settings.raw_dir)
        ingest_reference(con, files, lambda _: None)
        reports, mode = ingest_dossiers(con, files["dossiers"], lambda _: None)
        as_of, _ = settle_as_of(con, None)
        return sum(r.rows_read for r in reports if r.status == "ingested"), mode, as_of

    timed("ingest", ingest, lambda result: result[0])
    as_of = con.execute("SELECT as_of FROM meta.run_context").fetchall()[0][0]
    if only == "all":
        dossiers = count(con, "staging.dossiers")
        timed("calendar", lambda: build_calendar(con, as_of), lambda _: count(con, "model.calendar"))
        timed("unit_history", lambda: build_unit_history(con, as_of), lambda _: count(con, "model.units"))
        timed("dossier_facts", lambda: build_dossier_facts(con, as_of), dossiers)
        timed("unit_metrics", lambda: build_unit_metrics(con, as_of), dossiers)
        timed("unit_metrics_current", lambda: build_unit_metrics_current(con, as_of),
              lambda _: count(con, "model.unit_period_counts"))
        timed("index_766", lambda: build_index_766(con, as_of), lambda _: count(con, "model.unit_metrics"))
        timed("scorecard", lambda: build_scorecard(con, as_of), lambda _: count(con, "staging.targets"))

        def publish():
            tables = publish_bi(con, settings.bi_db)
            write_scorecard_html(con, settings.report_html, as_of)
            return sum(tables.values())

        timed("publish", publish, lambda rows: rows)
    result = {"stages": stages, "dossiers": count(con, "staging.dossiers"),
              "dossier_rows": count(con, "staging.dossier_rows")}
    con.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--bi", type=Path, required=True)
    parser.add_argument("--only", choices=["ingest", "all"], default="all")
    args = parser.parse_args()
    print(json.dumps(run_stages(args.raw, args.warehouse, args.bi, args.only)))


if __name__ == "__main__":
    main()
