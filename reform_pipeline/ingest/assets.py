"""Dagster assets of the ingest stage."""

# No `from __future__ import annotations` here: Dagster 1.13 compares the `context` annotation
# with its context classes, and a string annotation fails that check when the module loads.
import datetime as dt
from collections import Counter

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, asset, multi_asset
from dagster_duckdb import DuckDBResource

from reform_pipeline.assets_common import DUCKDB_KINDS, OWNERS
from reform_pipeline.ingest.as_of import settle_as_of
from reform_pipeline.ingest.build import ingest_dossiers
from reform_pipeline.ingest.db import query
from reform_pipeline.ingest.files import MissingInput, record_skipped, survey
from reform_pipeline.ingest.reference import ingest_reference
from reform_pipeline.metadata import markdown_table, table_metadata
from reform_pipeline.resources import ReformSettings
from reform_pipeline.settings import today_in_vietnam

GROUP = "ingest"

_REFERENCE_SPECS = [
    AssetSpec(
        "units", group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
        description="The agency tree (đơn vị) with its history: the province as it is now, "
        "departments, communes and wards, and the units that ended (districts, merged provinces, "
        "old communes) with valid_from / valid_to. Table staging.agencies, with "
        "staging.unit_closure (every unit × its subtree). docs/spec §2.3.",
    ),
    AssetSpec(
        "unit_changes", group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
        description="Who took over each ended unit (đơn vị kế thừa), from unit_changes* files "
        "(optional): agency_code, successor_code, effective_date. Table staging.unit_changes. "
        "docs/spec §2.6.",
    ),
    AssetSpec(
        "procedures", group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
        description="The procedure catalogue (danh mục TTHC): service level, full-online "
        "eligibility, statutory working days, declared fields. Table staging.procedures. docs/spec §2.2.",
    ),
    AssetSpec(
        "calendar_overrides", group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
        description="Working-day overrides from calendar* files (yearly decisions the holiday "
        "library does not know yet). Table staging.calendar_overrides. docs/spec §2.4.",
    ),
    AssetSpec(
        "plan_targets", group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
        description="Plan targets (chỉ tiêu kế hoạch CCHC) from targets* files, their KPI codes "
        "checked against the metric catalogue (meta.metric_catalogue and meta.index_766_indicators, "
        "loaded first from reform_pipeline/catalogue). Table staging.targets. docs/spec §2.5, §4.4.",
    ),
    AssetSpec(
        "rankings", group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
        description="The province's national rankings from rankings* files (optional): PAR Index, "
        "PCI, PAPI, DTI, SIPAS per year, with score, rank, provinces ranked, basis (63 or 34) and "
        "publisher. Targets may name rank_par … with <= (\"national top 25\"). Table "
        "staging.rankings. docs/spec §2.7.",
    ),
]
_REFERENCE_TABLES = {
    "units": ("staging.agencies", "agencies"),
    "unit_changes": ("staging.unit_changes", "unit_changes"),
    "procedures": ("staging.procedures", "procedures"),
    "calendar_overrides": ("staging.calendar_overrides", "calendar"),
    "plan_targets": ("staging.targets", "targets"),
    "rankings": ("staging.rankings", "rankings"),
}


@multi_asset(specs=_REFERENCE_SPECS, name="reference_data")
def reference_data(context: AssetExecutionContext, warehouse: DuckDBResource, reform: ReformSettings):
    """Reads every agencies, unit_changes, procedures, calendar, targets and rankings file of the
    raw folder, validates them (docs/spec §2.1 reason codes) and stores the valid rows; rejected
    rows go to quarantine."""
    files, skipped = survey(reform.raw_path)
    with warehouse.get_connection() as con:
        try:
            reports = ingest_reference(con, files, context.log.info, skipped)
        except MissingInput as exc:
            raise MissingInput(f"{exc} ({reform.raw_path.resolve()})") from None
        for key, (table, kind) in _REFERENCE_TABLES.items():
            mine = [r for r in reports if r.kind == kind]
            metadata = table_metadata(con, table)
            metadata["files"] = MetadataValue.md(_file_table(mine)) if mine else "no file"
            metadata["rows_quarantined"] = sum(r.rows_quarantined for r in mine)
            yield MaterializeResult(asset_key=key, metadata=metadata)


@asset(
    group_name=GROUP, kinds=DUCKDB_KINDS, owners=OWNERS,
    deps=["units", "procedures"],
)
def dossiers(context: AssetExecutionContext, warehouse: DuckDBResource, reform: ReformSettings):
    """Dossiers (hồ sơ TTHC): the latest valid version of each dossier from the nightly exports
    (table staging.dossiers; personal data stays in the warehouse). Each export file is ingested
    once, recognised by content hash; bad rows go to meta.quarantine with a reason code.
    Also settles the run's as-of date (REFORM_AS_OF or the latest date in the data)."""
    files, skipped = survey(reform.raw_path)
    day = run_day(context)
    with warehouse.get_connection() as con:
        try:
            reports, mode = ingest_dossiers(con, files["dossiers"], context.log.info, run_day=day)
        except MissingInput as exc:
            not_read = "; ".join(f"{r.file_name}: {r.message}" for r in skipped if r.kind == "dossiers")
            note = f"; skipped: {not_read}" if not_read else ""
            raise MissingInput(f"{exc} ({reform.raw_path.resolve()}){note}") from None
        # the exports not read, listed in run_info (docs/spec §2.0, "What is read")
        record_skipped(con, skipped, context.log.info)
        as_of, source = settle_as_of(con, reform.as_of_date, day)
        context.log.info(f"as-of date {as_of} ({source}); latest-version merge: {mode}")
        for report in reports + skipped:
            if report.status in ("unreadable", "duplicate", "skipped"):
                context.log.warning(f"{report.file_name}: {report.status}: {report.message}")
        metadata = table_metadata(
            con, "staging.dossiers",
            preview_columns=["dossier_id", "procedure_code", "agency_code", "status", "received_at", "source_file"],
        )
        reasons = query(con, "ingest/quarantine_by_reason")
    new = [r for r in reports if r.status != "unchanged"]
    statuses = Counter(r.status for r in reports + skipped)
    metadata.update(
        {
            "as_of": MetadataValue.text(as_of.isoformat()),
            "as_of_source": source,
            "merge_mode": mode,
            "files_by_status": MetadataValue.json(dict(statuses)),
            "rows_read_this_run": sum(r.rows_read for r in new),
            "rows_quarantined_this_run": sum(r.rows_quarantined for r in new),
            "quarantine_by_reason": MetadataValue.md(markdown_table(["reason", "rows"], reasons)),
            "files_this_run": MetadataValue.md(_file_table(new[:50])) if new else "no new export",
        }
    )
    return MaterializeResult(metadata=metadata)


def run_day(context: AssetExecutionContext) -> dt.date:
    """The day the run started, in Vietnam (docs/spec §2.1, §3): the same day for every step of a run,
    even one that goes on past midnight. Today there when the run has no recorded start."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    started = record.start_time if record is not None else None
    return today_in_vietnam(dt.datetime.fromtimestamp(started, dt.timezone.utc) if started else None)


def _file_table(reports) -> str:
    return markdown_table(
        ["file", "status", "rows read", "quarantined", "unknown columns", "ignored sheets", "reason"],
        [
            (r.file_name, r.status, r.rows_read, r.rows_quarantined, ", ".join(r.unknown_columns),
             ", ".join(r.ignored_sheets), r.message if r.status in ("skipped", "unreadable", "duplicate") else "")
            for r in reports
        ],
    )
