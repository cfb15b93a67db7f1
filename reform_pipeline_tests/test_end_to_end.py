"""The whole pipeline through Dagster on a small fixture, into tmp_path files (docs/spec §2–§5)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from dagster import materialize

from reform_pipeline.definitions import ALL_ASSETS
from reform_pipeline.resources import resources_from
from reform_pipeline.settings import Settings
from reform_pipeline_tests.fixtures import GOOD_DOSSIER, dossier, make_raw, write_csv

REPO = Path(__file__).resolve().parents[1]
OLD_DUCKDB = REPO / ".venv" / "duckdb-old"
PERSONAL_VALUES = ["Nguyễn Thị Hoa", "056190001234", "0905123456", "12 Trần Phú, Nha Trang", "Lê Văn Tám", "0987654321"]

BAD_ROWS = {  # planted: reason -> rows
    "missing_required": [dossier(MaHoSo="", ChuHoSo="Lê Văn Tám")],
    "bad_timestamp": [dossier(MaHoSo="BT", NgayTiepNhan="31/02/2025")],
    "bad_code": [dossier(MaHoSo="BC", KenhThucHien="fax", SoDienThoai="0987654321")],
    "bad_number": [dossier(MaHoSo="BN", PhiLePhi="-1")],
    "unknown_agency": [dossier(MaHoSo="UA", MaDonVi="X404")],
    "unknown_procedure": [dossier(MaHoSo="UP", MaTTHC="0.000000")],
    "inconsistent_dates": [dossier(MaHoSo="ID", NgayHenTra="2025-03-01")],
}


def raw_folder(tmp_path: Path) -> Path:
    good = [
        dossier(MaHoSo=f"G{i}", NgayTiepNhan=f"2025-03-{3 + i % 5:02d} 08:00:00",
                NgayKetThucXuLy=f"2025-03-{4 + i % 5:02d} 09:00:00", NgayTra="", TrangThaiHoSoId="9",
                NgayHenTra="", DuocThanhToanTrucTuyen=str(i % 3), DanhGia=str(1 + i % 4))
        for i in range(30)
    ]
    open_ones = [dossier(MaHoSo=f"O{i}", TrangThaiHoSoId="4", NgayKetThucXuLy="", NgayTra="", NgayHenTra="",
                         DanhGia="", NgayCapNhat="2025-03-20 10:00:00") for i in range(5)]
    bad = [row for rows in BAD_ROWS.values() for row in rows]
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": good + bad[:4], "dossiers_20250320.csv": open_ones + bad[4:]})
    write_csv(raw / "targets.csv", [
        {"plan_id": "KH-2025", "scope_code": "P", "year": "2025", "kpi_code": "satisfaction_rate",
         "comparator": ">", "target": "0.9", "source": "KH CCHC 2025"},
        {"plan_id": "KH-2025", "scope_code": "P", "year": "2025", "kpi_code": "online_payment_rate",
         "comparator": ">", "target": "0.7", "source": "KH CCHC 2025"},
    ])
    write_csv(raw / "calendar.csv", [{"date": "2025-03-07", "is_working_day": "0", "note": "test override"}])
    return raw


def settings_for(tmp_path: Path, raw: Path) -> Settings:
    return Settings(raw, tmp_path / "wh" / "reform.duckdb", tmp_path / "bi" / "reform_bi.duckdb", None)


def run(settings: Settings):
    return materialize(ALL_ASSETS, resources=resources_from(settings), raise_on_error=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("e2e")
    settings = settings_for(tmp_path, raw_folder(tmp_path))
    result = run(settings)
    assert result.success
    return settings


def test_every_raw_row_is_in_staging_or_quarantine(built):
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT f.file_name, f.rows_read, "
            " (SELECT count(*) FROM staging.dossier_rows r WHERE r.source_file = f.file_name AND r.reason IS NULL),"
            " (SELECT count(*) FROM meta.quarantine q WHERE q.source_file = f.file_name) "
            "FROM meta.input_files f WHERE f.kind = 'dossiers' ORDER BY 1"
        ).fetchall()
    assert rows == [("dossiers_20250310.csv", 34, 30, 4), ("dossiers_20250320.csv", 8, 5, 3)]


def test_quarantine_summary_matches_the_planted_rows(built):
    with duckdb.connect(str(built.bi_db), read_only=True) as bi:
        summary = dict(bi.execute("SELECT reason, sum(rows) FROM mart.quarantine_summary GROUP BY reason").fetchall())
    assert summary == {reason: len(rows) for reason, rows in BAD_ROWS.items()}


def test_bi_file_has_every_table_and_no_personal_data(built):
    with duckdb.connect(str(built.bi_db), read_only=True) as bi:
        tables = bi.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart' ORDER BY 1").fetchall()
        assert [t for (t,) in tables] == ["dossier_facts", "index_766", "metric_catalogue", "quarantine_summary",
                                         "rankings", "run_info", "scorecard", "unit_metrics", "unit_metrics_current",
                                         "units"]
        for (table,) in tables:
            text = bi.execute(
                "SELECT string_agg(CAST(t AS VARCHAR), ' ') FROM query_table($name) AS t", {"name": f"mart.{table}"}
            ).fetchone()[0] or ""
            for value in PERSONAL_VALUES:
                assert value not in text, f"{value!r} found in mart.{table}"
        columns = {c for (c,) in bi.execute("SELECT column_name FROM information_schema.columns").fetchall()}
        assert not columns & {"applicant_name", "applicant_id_number", "applicant_phone", "applicant_address", "raw_values"}


def test_run_info_lists_every_file_with_counts(built):
    with duckdb.connect(str(built.bi_db), read_only=True) as bi:
        files = bi.execute("SELECT files FROM mart.run_info").fetchone()[0]
    by_name = {f["name"]: (f["rows_read"], f["rows_quarantined"]) for f in files}
    assert by_name["dossiers_20250310.csv"] == (34, 4)
    assert by_name["agencies.csv"] == (4, 0)


@pytest.mark.skipif(not OLD_DUCKDB.exists(), reason="make setup installs the old DuckDB client")
def test_an_old_duckdb_client_opens_the_bi_file(built):
    script = textwrap.dedent(
        """
        import sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        print(duckdb.__version__, con.execute("SELECT count(*) FROM mart.unit_metrics").fetchone()[0])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(built.bi_db)], env={**os.environ, "PYTHONPATH": str(OLD_DUCKDB)},
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out[0] == "1.1.3" and int(out[1]) > 0


def test_a_failed_run_leaves_the_previous_bi_file_in_place(tmp_path):
    raw = raw_folder(tmp_path)
    settings = settings_for(tmp_path, raw)
    assert run(settings).success
    before = settings.bi_db.read_bytes()
    (raw / "procedures.csv").write_text("MaTTHC;TenTTHC\n")  # no processing_days: every row rejected
    (raw / "agencies.csv").unlink()
    assert not run(settings).success
    assert settings.bi_db.read_bytes() == before
    assert not list(settings.bi_db.parent.glob("*.tmp-*"))


def test_a_reader_holding_the_bi_file_does_not_block_a_run(tmp_path):
    raw = raw_folder(tmp_path)
    settings = settings_for(tmp_path, raw)
    assert run(settings).success
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(
            """
            import sys, duckdb
            con = duckdb.connect(sys.argv[1], read_only=True)
            before = con.execute("SELECT count(*) FROM mart.dossier_facts").fetchone()[0]
            print("open", flush=True)
            sys.stdin.readline()
            after = con.execute("SELECT count(*) FROM mart.dossier_facts").fetchone()[0]
            print(before, after, flush=True)
            """), str(settings.bi_db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        write_csv(raw / "dossiers_20250321.csv", [dict(GOOD_DOSSIER, MaHoSo="LATE-1")])
        started = time.monotonic()
        assert run(settings).success
        assert time.monotonic() - started < 60
        out, _ = reader.communicate("\n", timeout=30)
    finally:
        reader.kill()
    before, after = map(int, out.split())
    assert before == after  # the reader keeps its consistent old view
    with duckdb.connect(str(settings.bi_db), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM mart.dossier_facts").fetchone()[0] == before + 1


def test_the_warehouse_keeps_personal_data_apart_from_the_metric_rows(built):
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        kept = con.execute(
            "SELECT count(*) FROM staging.dossier_rows WHERE applicant_name = 'Nguyễn Thị Hoa' "
            "AND intrinsic_reason IS NULL").fetchone()[0]
        columns = {c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema IN ('staging', 'model', 'score') AND table_name <> 'dossier_rows'"
        ).fetchall()}
    # 35 valid rows, plus the 3 held back for their agency, procedure or dates (they may revive)
    assert kept == 38
    assert not any(column.startswith("applicant") for column in columns)


def test_a_failed_error_check_in_a_grouped_check_step_stops_everything_downstream(tmp_path, monkeypatch):
    """The checks of an asset run in one step (ops/checks.py, checks_of): one failing ERROR check
    there still blocks the assets downstream, and the BI file is not written; the other checks of
    that step still report."""
    import reform_pipeline.ops.checks as checks_module
    from dagster import AssetCheckResult, AssetCheckSeverity

    def failing(con):
        return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR, description="planted")

    monkeypatch.setattr(checks_module, "CHECKS", [
        checks_module.Check(c.name, c.asset, c.severity, c.description, failing) if c.name == "dossier_id_unique" else c
        for c in checks_module.CHECKS
    ])
    checks = checks_module.all_check_steps()
    settings = settings_for(tmp_path, raw_folder(tmp_path))
    result = materialize(ALL_ASSETS + checks, resources=resources_from(settings), raise_on_error=False)
    assert not result.success
    materialized = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert materialized == {"units", "unit_changes", "procedures", "calendar_overrides", "plan_targets", "rankings",
                            "dossiers", "calendar", "unit_history", "dossier_facts"}
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["dossier_id_unique"].passed
    assert evaluations["latest_day_volume_not_halved"].severity == AssetCheckSeverity.WARN
    # a WARN check failed too (the exports are old), and blocked nothing
    assert not evaluations["newest_export_within_2_days"].passed
    assert "rates_within_0_1" not in evaluations
    assert not settings.bi_db.exists()
