"""docs/spec §2.1–2.5: catalogue, unit tree, calendar and target files are validated like dossiers."""

from reform_pipeline.ingest.tree import check_tree
from reform_pipeline_tests.fixtures import AGENCIES, PROCEDURES, dossier, ingest, make_raw, quarantine, write_csv


def test_tree_second_root_and_cycle_are_bad_code_orphans_unknown_agency():
    result = check_tree([(code, parent, None, None) for code, parent in [
        ("P", None), ("A", "P"), ("R2", None), ("B", "R2"), ("C1", "C2"), ("C2", "C1"),
        ("U", "C1"), ("M", "MISSING"), ("S", "S")]])
    assert result.root == "P"
    assert result.rejected == {"R2": "bad_code", "B": "unknown_agency", "C1": "bad_code", "C2": "bad_code",
                               "U": "unknown_agency", "M": "unknown_agency", "S": "bad_code"}
    assert result.depth == {"P": 0, "A": 1}
    assert set(result.closure) == {("P", "P", 0), ("A", "A", 0), ("P", "A", 1)}


def test_agency_rows_are_quarantined_by_rule(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    write_csv(raw / "agencies.csv", AGENCIES + [
        {"MaDonVi": "Q", "TenDonVi": "Second root", "LoaiDonVi": "province", "MaDonViCha": ""},
        {"MaDonVi": "Y", "TenDonVi": "", "LoaiDonVi": "commune", "MaDonViCha": "H1"},
        {"MaDonVi": "Z", "TenDonVi": "Bad kind", "LoaiDonVi": "village", "MaDonViCha": "H1"},
        {"MaDonVi": "W", "TenDonVi": "Below a rejected unit", "LoaiDonVi": "commune", "MaDonViCha": "Z"},
    ])
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert [row for row in quarantine(con) if row[0] == "agencies.csv"] == [
        ("agencies.csv", 5, "bad_code"), ("agencies.csv", 6, "missing_required"),
        ("agencies.csv", 7, "bad_code"), ("agencies.csv", 8, "unknown_agency")]
    assert con.execute("SELECT agency_code, depth FROM staging.agencies ORDER BY 1").fetchall() == [
        ("D1", 1), ("H1", 1), ("P", 0), ("X1", 2)]
    assert con.execute(
        "SELECT descendant_code FROM staging.unit_closure WHERE ancestor_code = 'H1' ORDER BY 1").fetchall() == [
        ("H1",), ("X1",)]


def test_repeated_agency_code_keeps_its_last_valid_row(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    write_csv(raw / "agencies_2.csv", [
        {"MaDonVi": "D1", "TenDonVi": "Sở Tư pháp tỉnh Khánh Hòa", "LoaiDonVi": "department", "MaDonViCha": "P"},
        {"MaDonVi": "D1", "TenDonVi": "", "LoaiDonVi": "department", "MaDonViCha": "P"},
    ])
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT agency_name FROM staging.agencies WHERE agency_code = 'D1'").fetchone() == (
        "Sở Tư pháp tỉnh Khánh Hòa",)


def test_procedure_rules(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    base = PROCEDURES[0]
    write_csv(raw / "procedures.csv", PROCEDURES + [
        dict(base, MaTTHC="P-missing-days", ThoiHanGiaiQuyet=""),
        dict(base, MaTTHC="P-bad-level", MucDo="7"),
        dict(base, MaTTHC="P-bad-days", ThoiHanGiaiQuyet="2.5"),
        dict(base, MaTTHC="P-unknown-owner", CoQuanThucHien="NOPE"),
        dict(base, MaTTHC="P-no-owner", CoQuanThucHien=""),
    ])
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert [row for row in quarantine(con) if row[0] == "procedures.csv"] == [
        ("procedures.csv", 3, "missing_required"), ("procedures.csv", 4, "bad_code"),
        ("procedures.csv", 5, "bad_number"), ("procedures.csv", 6, "unknown_agency")]
    assert con.execute("SELECT count(*) FROM staging.procedures").fetchone() == (3,)


def test_dossier_of_a_quarantined_procedure_is_unknown_procedure(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaTTHC="P-bad")]})
    write_csv(raw / "procedures.csv", PROCEDURES + [dict(PROCEDURES[0], MaTTHC="P-bad", ThoiHanGiaiQuyet="x")])
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert ("dossiers_20250301.csv", 1, "unknown_procedure") in quarantine(con)


def test_calendar_and_target_rules(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    write_csv(raw / "calendar.csv", [
        {"date": "2025-04-26", "is_working_day": "1", "note": "ok"},
        {"date": "2025-02-30", "is_working_day": "1", "note": "impossible date"},
        {"date": "2025-05-02", "is_working_day": "maybe", "note": "bad flag"},
        {"date": "", "is_working_day": "0", "note": "no date"},
    ])
    row = {"plan_id": "KH-2025", "scope_code": "P", "year": "2025", "kpi_code": "satisfaction_rate",
           "comparator": ">", "target": "0.90", "source": "KH CCHC 2025"}
    write_csv(raw / "targets.csv", [
        row,
        dict(row, kpi_code="happiness"),
        dict(row, comparator="=="),
        dict(row, target="ninety"),
        dict(row, scope_code="NOPE"),
        dict(row, year=""),
        dict(row, kpi_code="online_payment_rate", source=""),
    ])
    con = ingest(raw, tmp_path / "wh.duckdb")
    rejected = [row for row in quarantine(con) if row[0] in ("calendar.csv", "targets.csv")]
    assert rejected == [
        ("calendar.csv", 2, "bad_timestamp"), ("calendar.csv", 3, "bad_code"), ("calendar.csv", 4, "missing_required"),
        ("targets.csv", 2, "bad_code"), ("targets.csv", 3, "bad_code"), ("targets.csv", 4, "bad_number"),
        ("targets.csv", 5, "unknown_agency"), ("targets.csv", 6, "missing_required")]
    assert con.execute("SELECT kpi_code, target FROM staging.targets ORDER BY 1").fetchall() == [
        ("online_payment_rate", 0.9), ("satisfaction_rate", 0.9)]
