"""The asset checks, each passing and failing on a tiny warehouse of its own (tmp_path)."""

import datetime as dt
import os

import duckdb
import pytest
from dagster import AssetCheckSeverity, build_asset_check_context
from dagster_duckdb import DuckDBResource

import reform_pipeline.ops.checks as checks_module
from reform_pipeline.catalogue import load_catalogue
from reform_pipeline.ops.checks import (
    CHECKS,
    Check,
    checks_of,
    dossier_ids_unique,
    evaluate_check,
    export_date,
    export_freshness,
    quarantine_share,
    rates_in_unit_interval,
    received_volume,
    rows_accounted_for,
    unit_tree,
    unreadable_files,
)
from reform_pipeline_tests.fixtures import GOOD_DOSSIER, PROCEDURES, dossier, ingest, make_raw, write_csv

ERROR, WARN = AssetCheckSeverity.ERROR, AssetCheckSeverity.WARN
PERSONAL_VALUES = [GOOD_DOSSIER[c] for c in ("ChuHoSo", "SoGiayTo", "SoDienThoai", "DiaChi")]


def shown(result) -> str:
    """Everything a check puts in front of the UI: its description and metadata."""
    parts = [result.description or ""]
    for value in result.metadata.values():
        parts.append(str(getattr(value, "md_str", None) or getattr(value, "value", value)))
    return "\n".join(parts)


def assert_no_personal_data(result):
    text = shown(result)
    for value in PERSONAL_VALUES:
        assert value not in text


def meta(result, key):
    return result.metadata[key].value


def dagster_checks(asset: str, warehouse) -> dict:
    """The Dagster step of ``asset``'s checks run on the warehouse file: its results by name."""
    context = build_asset_check_context(resources={"warehouse": DuckDBResource(database=str(warehouse))})
    return {result.check_name: result for result in checks_of(asset)(context)}


@pytest.fixture
def ingested(tmp_path):
    """A warehouse after the ingest stage: 3 dossier rows (one bad_number), 1 bad agency row."""
    raw = make_raw(tmp_path / "raw", {
        "dossiers_20250310.csv": [dossier(MaHoSo="A"), dossier(MaHoSo="B", PhiLePhi="-5"), dossier(MaHoSo="C")],
    })
    unnamed_unit = {"MaDonVi": "Y", "TenDonVi": "", "LoaiDonVi": "commune", "MaDonViCha": "H1"}
    write_csv(raw / "agencies_extra.csv", [unnamed_unit])
    con = ingest(raw, tmp_path / "wh.duckdb")
    yield con
    con.close()


@pytest.fixture
def empty(tmp_path):
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute("CREATE SCHEMA meta; CREATE SCHEMA staging; CREATE SCHEMA model")
    yield con
    con.close()


# --- every raw row is accounted for (ERROR) --------------------------------------------------


def test_rows_read_equal_rows_staged_plus_quarantined(ingested):
    result = rows_accounted_for(ingested)
    assert result.passed
    assert meta(result, "files_checked") == 4  # agencies, agencies_extra, procedures, one export
    assert meta(result, "rows_read") == 4 + 1 + 2 + 3
    assert meta(result, "dossier_rows_staged") == 2
    assert meta(result, "rows_quarantined") == 2


def test_a_dossier_row_lost_from_quarantine_fails_and_names_the_file(ingested):
    ingested.execute("DELETE FROM meta.quarantine WHERE kind = 'dossiers'")
    result = rows_accounted_for(ingested)
    assert not result.passed and result.severity == ERROR
    assert "dossiers_20250310.csv" in result.description
    assert meta(result, "files_not_accounted_for") == 1
    assert "read 3 ≠ staged 2 + quarantined 0" in shown(result)
    assert_no_personal_data(result)


def test_a_dossier_row_lost_from_staging_fails(ingested):
    ingested.execute("DELETE FROM staging.dossier_rows WHERE dossier_id = 'A'")
    result = rows_accounted_for(ingested)
    assert not result.passed
    assert "read 3 ≠ staged 1 + quarantined 1" in shown(result)


def test_rows_kept_for_a_file_never_ingested_fail(ingested):
    ingested.execute(
        "INSERT INTO meta.quarantine VALUES ('dossiers', 'dossiers_20250101.csv', 1, 'bad_code', '{}')"
    )
    result = rows_accounted_for(ingested)
    assert not result.passed
    assert "dossiers_20250101.csv" in result.description
    assert "no ingested export of this name" in shown(result)


def test_a_reference_row_lost_from_quarantine_fails(ingested):
    ingested.execute("DELETE FROM meta.quarantine WHERE source_file = 'agencies_extra.csv'")
    result = rows_accounted_for(ingested)
    assert not result.passed
    assert "agencies_extra.csv" in result.description
    assert "quarantine holds 0 rows, the ingest counted 1" in shown(result)


def test_a_reference_table_with_more_rows_than_its_files_fails(ingested):
    ingested.execute("INSERT INTO staging.procedures (procedure_code) VALUES ('STALE-1'), ('STALE-2')")
    result = rows_accounted_for(ingested)
    assert not result.passed
    assert "staging.procedures" in result.description


def test_a_reference_file_removed_since_an_earlier_run_is_not_counted(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    write_csv(raw / "procedures_old.csv", [dict(PROCEDURES[0], ThoiHanGiaiQuyet="x")])
    ingest(raw, tmp_path / "wh.duckdb").close()
    (raw / "procedures_old.csv").unlink()
    con = ingest(raw, tmp_path / "wh.duckdb")
    result = rows_accounted_for(con)
    assert result.passed, result.description
    assert meta(result, "files_checked") == 3
    con.close()


def test_the_dagster_check_reads_the_warehouse_resource(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    ingest(raw, tmp_path / "wh.duckdb").close()
    results = dagster_checks("dossiers", tmp_path / "wh.duckdb")
    assert list(results) == [
        "raw_rows_accounted_for", "every_input_file_readable", "quarantine_share_within_2_percent",
        "newest_export_within_2_days",
    ]
    assert results["raw_rows_accounted_for"].passed
    assert results["every_input_file_readable"].passed
    assert results["raw_rows_accounted_for"].asset_key.to_user_string() == "dossiers"


def test_a_check_that_raises_fails_with_its_severity_and_the_others_still_report(tmp_path, monkeypatch):
    def broken(con):
        raise RuntimeError("table vanished")

    patched = [Check(c.name, c.asset, c.severity, c.description, broken) if c.name == "every_input_file_readable"
               else c for c in CHECKS]
    monkeypatch.setattr(checks_module, "CHECKS", patched)
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    ingest(raw, tmp_path / "wh.duckdb").close()
    results = dagster_checks("dossiers", tmp_path / "wh.duckdb")
    failed = results["every_input_file_readable"]
    assert not failed.passed and failed.severity == WARN
    assert failed.description == "The check could not run: RuntimeError: table vanished"
    assert results["raw_rows_accounted_for"].passed
    assert len(results) == 4


def test_an_error_check_that_raises_fails_as_an_error(tmp_path):
    def broken(con):
        raise ValueError("bad")

    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    result = evaluate_check(Check("c", "dossier_facts", ERROR, "what it means", broken), con)
    con.close()
    assert (result.passed, result.severity, result.check_name) == (False, ERROR, "c")
    assert result.asset_key.to_user_string() == "dossier_facts"


def test_a_check_run_before_its_table_exists_fails_and_says_so(empty):
    result = rows_accounted_for(empty)
    assert not result.passed
    assert "meta.input_files" in result.description


# --- quarantine share (WARN) ----------------------------------------------------------------


def test_a_file_with_more_than_2_percent_quarantined_warns_by_name(ingested):
    result = quarantine_share(ingested)
    assert not result.passed and result.severity == WARN
    assert result.description == (
        "2 file(s) quarantine more than 2% of their rows: agencies_extra.csv (100.0%), "
        "dossiers_20250310.csv (33.3%)."
    )
    assert "| bad_number | 1 |" in shown(result)
    assert "| missing_required | 1 |" in shown(result)
    assert_no_personal_data(result)


def test_2_percent_or_less_quarantined_passes(tmp_path):
    rows = [dossier(MaHoSo=f"G{i}") for i in range(50)] + [dossier(MaHoSo="BAD", PhiLePhi="x")]
    con = ingest(make_raw(tmp_path / "raw", {"dossiers_20250310.csv": rows}), tmp_path / "wh.duckdb")
    result = quarantine_share(con)  # 1 of 51 rows: 1.96 %
    assert result.passed, result.description
    assert "dossiers_20250310.csv, 2.0%" in result.description
    con.close()


# --- newest export (WARN) -------------------------------------------------------------------


def test_export_date_comes_from_the_file_name_else_the_modification_time():
    modified = dt.datetime(2025, 3, 1, 12, 0)
    assert export_date("dossiers_20250310.csv", modified) == (dt.date(2025, 3, 10), "file name")
    assert export_date("dossiers_2025-03-10.xlsx", modified) == (dt.date(2025, 3, 10), "file name")
    assert export_date("dossiers_20251399.csv", modified)[1] == "modification time"
    assert export_date("dossiers_v2.csv", modified)[1] == "modification time"


def test_an_export_2_days_old_passes_and_3_days_old_warns_naming_it(ingested):
    assert export_freshness(ingested, dt.date(2025, 3, 12)).passed
    result = export_freshness(ingested, dt.date(2025, 3, 13))
    assert not result.passed and result.severity == WARN
    assert result.description.startswith("Newest export dossiers_20250310.csv is dated 2025-03-10")
    assert meta(result, "age_days") == 3


def test_the_newest_export_is_chosen_by_its_date_not_its_name(tmp_path):
    raw = make_raw(tmp_path / "raw", {
        "dossiers_20250310.csv": [dossier()], "dossiers_export.csv": [dossier(MaHoSo="E")],
    })
    noon_utc = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.timezone.utc).timestamp()
    os.utime(raw / "dossiers_export.csv", (noon_utc, noon_utc))  # 19:00 in Vietnam, 2025-03-14
    con = ingest(raw, tmp_path / "wh.duckdb")
    result = export_freshness(con, dt.date(2025, 3, 16))
    assert result.passed
    assert meta(result, "newest_export") == "dossiers_export.csv"
    assert meta(result, "date_from") == "modification time"
    assert not export_freshness(con, dt.date(2025, 3, 17)).passed
    con.close()


def test_no_export_ingested_warns(empty):
    empty.execute(
        "CREATE TABLE meta.input_files (file_name VARCHAR, kind VARCHAR, status VARCHAR, modified_at TIMESTAMP)"
    )
    result = export_freshness(empty, dt.date(2025, 3, 10))
    assert not result.passed and result.severity == WARN


# --- the unit tree (ERROR) ------------------------------------------------------------------


def units(con, rows):
    con.execute(
        "CREATE TABLE staging.agencies (agency_code VARCHAR, agency_name VARCHAR, kind VARCHAR, "
        "parent_code VARCHAR, admin_code VARCHAR, valid_from DATE, valid_to DATE, depth INTEGER)"
    )
    con.executemany("INSERT INTO staging.agencies VALUES (?, ?, NULL, ?, NULL, NULL, NULL, ?)", rows)


def test_the_ingested_unit_tree_is_one_tree(ingested):
    result = unit_tree(ingested)
    assert result.passed
    assert result.description == "4 units form one tree under P."


def test_a_second_root_a_missing_parent_and_a_wrong_depth_fail(empty):
    units(empty, [
        ("P", "Province", None, 0),
        ("Q", "Second root", None, 0),
        ("H1", "District", "P", 1),
        ("X1", "Commune", "H1", 1),  # should be 2
        ("X9", "Orphan", "H404", 2),
    ])
    result = unit_tree(empty)
    assert not result.passed and result.severity == ERROR
    assert result.description == (
        "staging.agencies is not one tree: depth_not_parent_plus_1 (1), missing_parent (1), more_than_one_root (2)."
    )
    assert "| depth_not_parent_plus_1 | X1 | H1 | 1 | 2 |" in shown(result)


def test_no_root_fails(empty):
    units(empty, [("A", "Loop A", "B", 1), ("B", "Loop B", "A", 2)])
    result = unit_tree(empty)
    assert not result.passed
    assert "no_root (1)" in result.description


# --- one fact row per dossier (ERROR) -------------------------------------------------------


def facts(con, rows):
    con.execute("CREATE TABLE model.dossier_facts (dossier_id VARCHAR, received_date DATE, outcome VARCHAR)")
    con.executemany("INSERT INTO model.dossier_facts VALUES (?, ?, ?)", rows)


def test_unique_dossier_ids_pass(empty):
    facts(empty, [("HS-1", None, "early"), ("HS-2", None, "late")])
    result = dossier_ids_unique(empty)
    assert result.passed
    assert meta(result, "fact_rows") == 2


def test_a_repeated_or_null_dossier_id_fails_with_examples(empty):
    facts(empty, [("HS-1", None, "early"), ("HS-1", None, "late"), ("HS-1", None, "late"), ("HS-2", None, "early"),
                  (None, None, "early")])
    result = dossier_ids_unique(empty)
    assert not result.passed and result.severity == ERROR
    assert meta(result, "repeated_or_null_ids") == 2
    assert meta(result, "rows_involved") == 4
    assert "| HS-1 | 3 |" in shown(result)


# --- the latest day's volume (WARN) ---------------------------------------------------------

LATEST = dt.date(2025, 3, 31)  # a Monday


def mondays(received_latest, weeks, per_week=10, not_accepted_latest=0):
    rows = [(f"L{i}", LATEST, "on_time") for i in range(received_latest)]
    rows += [(f"N{i}", LATEST, "not_accepted") for i in range(not_accepted_latest)]
    for week in range(1, weeks + 1):
        rows += [(f"W{week}-{i}", LATEST - dt.timedelta(weeks=week), "early") for i in range(per_week)]
    return rows


def test_a_day_below_half_the_median_of_its_weekday_warns(empty):
    facts(empty, mondays(received_latest=4, weeks=8, not_accepted_latest=20))
    result = received_volume(empty)
    assert not result.passed and result.severity == WARN
    assert result.description == (
        "Monday 2025-03-31: 4 dossiers received; median of the previous 8 Mondays 10, so below half of it (5)."
    )
    assert meta(result, "comparable_weeks") == 8


def test_a_day_at_half_the_median_passes(empty):
    facts(empty, mondays(received_latest=5, weeks=8))
    assert received_volume(empty).passed


def test_fewer_than_4_comparable_weeks_skip_the_check(empty):
    facts(empty, mondays(received_latest=1, weeks=3))
    result = received_volume(empty)
    assert result.passed
    assert result.description.startswith("Skipped: only 3 comparable week(s)")


def test_a_comparable_day_without_dossiers_counts_as_zero(empty):
    rows = mondays(received_latest=1, weeks=8, per_week=0)
    rows.append(("FIRST", LATEST - dt.timedelta(weeks=8), "early"))
    facts(empty, rows)
    result = received_volume(empty)  # previous Mondays: 1, 0, 0, … → median 0
    assert result.passed
    assert meta(result, "comparable_weeks") == 8


# --- rates in [0, 1] (ERROR) ----------------------------------------------------------------


def metrics(con, rows):
    load_catalogue(con)  # which codes are rates (meta.metric_catalogue)
    con.execute(
        "CREATE TABLE model.unit_metrics (scope_code VARCHAR, scope_name VARCHAR, period_type VARCHAR, "
        "period_start DATE, period_end DATE, metric_code VARCHAR, numerator BIGINT, denominator BIGINT, value DOUBLE)"
    )
    con.executemany(
        "INSERT INTO model.unit_metrics VALUES (?, 'Unit', 'month', DATE '2025-03-01', DATE '2025-03-31', ?, ?, ?, ?)",
        rows,
    )


COUNTS_AND_STATISTICS = [
    ("P", "dossiers_received", 25, None, 25.0),
    ("P", "overdue_open", 3, None, 3.0),
    ("P", "processing_wd_avg", None, 20, 4.5),
    ("P", "processing_wd_p90", None, 20, 12.0),
]


def test_rates_between_0_and_1_or_null_pass_and_counts_are_not_rates(empty):
    metrics(empty, COUNTS_AND_STATISTICS + [
        ("P", "on_time_rate", 0, 20, 0.0), ("P", "online_rate", 25, 25, 1.0), ("P", "online_payment_rate", 0, 0, None),
    ])
    result = rates_in_unit_interval(empty)
    assert result.passed
    assert meta(result, "rate_rows_checked") == 3


def test_a_rate_above_1_or_below_0_fails_with_examples(tmp_path):
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute("CREATE SCHEMA model")
    metrics(con, COUNTS_AND_STATISTICS + [
        ("H1", "on_time_rate", 25, 20, 1.25),
        ("X1", "satisfaction_rate", -1, 20, -0.05),
        ("P", "late_rate", 1, 20, 0.05),
    ])
    con.close()
    result = dagster_checks("unit_metrics", tmp_path / "wh.duckdb")["rates_within_0_1"]
    assert not result.passed and result.severity == ERROR
    assert result.description == (
        "2 rate value(s) outside [0, 1] in model.unit_metrics: on_time_rate (1), satisfaction_rate (1)."
    )
    assert "| H1 | month | 2025-03-01 | on_time_rate | 25 | 20 | 1.25 |" in shown(result)


def test_unreadable_file_check_names_the_broken_file_and_why(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    con = ingest(raw, tmp_path / "ok.duckdb")
    assert unreadable_files(con).passed
    (raw / "dossiers_20250302.xlsx").write_bytes(b"not a workbook")
    con = ingest(raw, tmp_path / "broken.duckdb")
    result = unreadable_files(con)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert "dossiers_20250302.xlsx" in result.description
