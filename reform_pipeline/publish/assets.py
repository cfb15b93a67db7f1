"""Dagster assets of the publish stage: the next BI file, the gate, the swap, the page.

    bi_candidate ──(check bi_does_not_shrink, blocking)──► bi_database ──► scorecard_report

docs/spec §5.1: the new file is built whole beside the published one; the gate compares the two;
only a file that passed replaces the published one. A failed step or check anywhere before
leaves the published file byte for byte.
"""

from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from reform_pipeline.assets_common import DUCKDB_KINDS, OWNERS
from reform_pipeline.metadata import markdown_table
from reform_pipeline.publish.bi import BI_TABLES, candidate_path, swap_in, write_candidate
from reform_pipeline.publish.gate import (
    ACCEPT_SHRINK_TAG,
    GATED_TABLES,
    judge,
    published_state,
    read_state,
    record_published,
)
from reform_pipeline.publish.report import scorecard_markdown, write_scorecard_html
from reform_pipeline.publish.summary import run_summary
from reform_pipeline.resources import ReformSettings
from reform_pipeline.warehouse import current_as_of

GROUP = "publish"


class CandidateMissing(RuntimeError):
    """The swap step found no BI file built by its own run."""


@asset(
    group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
    deps=["dossier_facts", "unit_metrics", "unit_metrics_current", "index_766", "scorecard", "unit_history", "dossiers"],
)
def bi_candidate(context: AssetExecutionContext, warehouse: DuckDBResource, reform: ReformSettings):
    """The next BI file, written whole beside the published one (`<REFORM_BI_DB>.next-<run id>`)
    with STORAGE_VERSION 'v1.1.0' (readable by DuckDB ≥ 1.1), not yet visible to readers. Its
    check `bi_does_not_shrink` compares it with the published file before `bi_database` swaps it
    in (docs/spec §5.1)."""
    with warehouse.get_connection() as con:
        context.log.info(f"writing the BI file beside {reform.bi_path}")
        candidate, counts = write_candidate(con, reform.bi_path, context.run.run_id)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(candidate.resolve())),
            "size_bytes": MetadataValue.int(candidate.stat().st_size),
            "dagster/row_count": MetadataValue.int(sum(counts.values())),
            "tables": MetadataValue.md(markdown_table(["table", "rows"], sorted(counts.items()))),
        }
    )


@asset_check(
    asset=bi_candidate, name="bi_does_not_shrink", blocking=True,
    description="ERROR, blocking (docs/spec §5.1). The new BI file may replace the published one only "
    "if mart.dossier_facts and mart.units keep at least 90 % of their rows and the as-of date does "
    "not move back. Otherwise the published file stays, and the result names what shrank and the "
    "input file that most likely caused it. REFORM_ACCEPT_SHRINK=1 (or the run tag "
    "reform/accept_shrink=1) lets one run publish all the same.",
)
def bi_does_not_shrink(context: AssetCheckExecutionContext, warehouse: DuckDBResource, reform: ReformSettings):
    candidate = candidate_path(reform.bi_path, context.run.run_id)
    if not candidate.exists():
        return AssetCheckResult(
            passed=False, severity=AssetCheckSeverity.ERROR,
            description="No new BI file was built in this run: materialize bi_candidate with this check.",
        )
    context.log.info(f"comparing the new BI file with the published {reform.bi_path}")
    new = read_state(candidate)
    with warehouse.get_connection() as con:
        old = published_state(con, reform.bi_path)
    accept = reform.accept_shrink or context.run.tags.get(ACCEPT_SHRINK_TAG, "").strip().lower() in ("1", "true", "yes")
    verdict = judge(old, new, accept=accept)
    if verdict.findings and reform.as_of and old is not None and new.as_of is not None and old.as_of is not None \
            and new.as_of < old.as_of:
        verdict.causes.insert(0, f"REFORM_AS_OF={reform.as_of} is set")
    metadata = {
        "published": MetadataValue.text(old.source if old is not None else "nothing published yet"),
        "rows": MetadataValue.md(markdown_table(
            ["table", "published", "new"],
            [(f"mart.{t}", old.rows.get(t) if old else None, new.rows.get(t)) for t in GATED_TABLES]
            + [("as-of date", old.as_of if old else None, new.as_of)],
        )),
        "accept_shrink": MetadataValue.bool(accept),
    }
    if verdict.causes:
        metadata["likely_causes"] = MetadataValue.md("\n".join(f"- {cause}" for cause in verdict.causes))
    description = verdict.description(str(reform.bi_path)) if old is not None else \
        "Nothing was published yet: no published BI file to compare with."
    if verdict.accepted:
        context.log.warning(description)
    return AssetCheckResult(passed=verdict.passed, severity=AssetCheckSeverity.ERROR,
                            description=description, metadata=metadata)


@asset(group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS, deps=[bi_candidate])
def bi_database(context: AssetExecutionContext, warehouse: DuckDBResource, reform: ReformSettings):
    """The published BI file (REFORM_BI_DB, schema `mart`): dossier facts, unit metrics, the
    766 index, the scorecard, units, quarantine summary and run info — no personal data, no raw
    rows. This run's `bi_candidate`, once its gate passed, replaces the published file by an
    atomic rename: open BI sessions keep their old view and never block the run; a new
    connection sees the new file. docs/spec §5, §5.1; docs/bi.md."""
    candidate = candidate_path(reform.bi_path, context.run.run_id)
    if not candidate.exists():
        raise CandidateMissing(
            f"no BI file was built in this run ({candidate.name}): materialize bi_candidate and its "
            "check bi_does_not_shrink together with bi_database (from the UI: re-execute all steps, "
            "not from failure)"
        )
    state = read_state(candidate)
    counts = _table_counts(candidate)
    context.log.info(f"replacing the published {reform.bi_path} with the new BI file")
    swap_in(candidate, reform.bi_path)
    context.log.info(f"published {reform.bi_path}")
    with warehouse.get_connection() as con:
        record_published(con, reform.bi_path, state, context.run.run_id)
        quarantine = con.execute(
            "SELECT reason, count(*) FROM meta.quarantine GROUP BY reason ORDER BY reason"
        ).fetchall()
        summary = run_summary(con)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(reform.bi_path.resolve())),
            "size_bytes": MetadataValue.int(reform.bi_path.stat().st_size),
            "dagster/row_count": MetadataValue.int(sum(counts.values())),
            "dagster/column_schema": bi_table_schema(),
            "tables": MetadataValue.md(markdown_table(["table", "rows"], sorted(counts.items()))),
            "preview": MetadataValue.md(markdown_table(["quarantine reason", "rows"], quarantine)),
            "run_summary": MetadataValue.text(summary),
        }
    )


@asset(group_name=GROUP, owners=OWNERS, deps=["bi_database"], kinds={"html"})
def scorecard_report(context: AssetExecutionContext, warehouse: DuckDBResource, reform: ReformSettings):
    """The scorecard page (scorecard.html, next to the BI file): every plan target with met /
    not met, monthly trends, the 766 index by group and the units ranked on the weakest KPIs.
    Self-contained: opens offline, no CDN. Beside it the downloads (docs/bi.md, "Downloads"):
    scorecard.csv and units.csv (UTF-8 with BOM) and the workbook scorecard.xlsx."""
    from reform_pipeline.publish.downloads import write_downloads

    path = reform.bi_path.parent / "scorecard.html"
    with warehouse.get_connection() as con:
        as_of = current_as_of(con)
        write_scorecard_html(con, path, as_of)
        targets = con.execute("SELECT count(*) FROM score.scorecard").fetchone()[0]
        preview = scorecard_markdown(con)
        context.log.info(f"writing the downloads next to {path}")
        files = write_downloads(con, path.parent, as_of, bi_name=reform.bi_path.name)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path.resolve())),
            "size_bytes": MetadataValue.int(path.stat().st_size),
            "dagster/row_count": MetadataValue.int(targets),
            "preview": MetadataValue.md(preview),
            "downloads": MetadataValue.md(markdown_table(
                ["file", "bytes"], [(file.name, file.stat().st_size) for file in files])),
            **{file.name: MetadataValue.path(str(file.resolve())) for file in files},
        }
    )


def _table_counts(path: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as bi:
        return {
            table: bi.execute("SELECT count(*) FROM query_table($t)", {"t": f"mart.{table}"}).fetchone()[0]
            for table in BI_TABLES
        }


def bi_table_schema() -> TableSchema:
    """The BI file's tables as one schema listing (column = table, type = its grain)."""
    return TableSchema(columns=[TableColumn(f"mart.{table}", "table") for table in BI_TABLES])
