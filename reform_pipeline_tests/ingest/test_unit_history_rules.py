"""docs/spec §2.3 and §2.6: the unit tree with its history and the unit_changes input, read from
files as a province writes them (Vietnamese headers), each rule quarantining its rows with the
documented reason."""

from __future__ import annotations

import datetime as dt

from reform_pipeline_tests.fixtures import AGENCIES, dossier, ingest, make_raw, quarantine, write_csv


def unit(code, name, kind, parent, valid_from="", valid_to=""):
    return {"MaDonVi": code, "TenDonVi": name, "LoaiDonVi": kind, "MaDonViCha": parent or "",
            "NgayHieuLuc": valid_from, "NgayHetHieuLuc": valid_to}


# Ninh Thuận (NTH) merged into the province P on 2025-07-01; its district NTD ended with it; the
# new ward PW began that day under P. AGENCIES (P, its department D1, district H1, commune X1)
# have no dates: since always, still alive.
HISTORY = [
    unit("NTH", "Tỉnh Ninh Thuận", "province", None, "", "30/06/2025"),
    unit("NTD", "Huyện Ninh Hải", "district", "NTH", "", "2025-06-30"),
    unit("NTW", "Xã Nhơn Hải", "commune", "NTD", "", "2025-06-30"),
    unit("PW", "Phường Bảo An", "ward", "P", "2025-07-01", ""),
    unit("DV", "Phòng Hành chính", "division", "D1", "", ""),
]


def _raw(tmp_path, agencies, changes=None):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    write_csv(raw / "agencies.csv", [{**row, "NgayHieuLuc": "", "NgayHetHieuLuc": ""} for row in AGENCIES] + agencies)
    if changes is not None:
        write_csv(raw / "unit_changes.csv", changes)
    return raw


def test_a_merged_province_and_its_ended_units_are_kept_with_their_lives(tmp_path):
    con = ingest(_raw(tmp_path, HISTORY), tmp_path / "wh.duckdb")
    assert [row for row in quarantine(con) if row[0] == "agencies.csv"] == []
    rows = con.execute(
        "SELECT agency_code, kind, depth, valid_from, valid_to FROM staging.agencies "
        "WHERE agency_code IN ('NTH', 'NTD', 'NTW', 'PW', 'DV') ORDER BY 1").fetchall()
    assert rows == [
        ("DV", "division", 2, None, None),
        ("NTD", "district", 1, None, dt.date(2025, 6, 30)),
        ("NTH", "province", 0, None, dt.date(2025, 6, 30)),
        ("NTW", "commune", 2, None, dt.date(2025, 6, 30)),
        ("PW", "ward", 1, dt.date(2025, 7, 1), None),
    ]


def test_history_rules_quarantine_with_their_reasons(tmp_path):
    bad = [
        unit("R2", "A second province pasted in", "province", None),  # a second root without valid_to
        unit("B1", "Begins after it ends", "commune", "P", "2025-07-01", "2025-06-30"),
        unit("B2", "Unreadable date", "commune", "P", "31/02/2025", ""),
        unit("B3", "Outlives its parent", "commune", "NTD", "", "2025-12-31"),
        unit("B4", "Below a rejected unit", "commune", "B3", "", "2025-06-30"),
        unit("B5", "Older than its parent", "commune", "PW", "2025-01-01", ""),
    ]
    con = ingest(_raw(tmp_path, HISTORY + bad), tmp_path / "wh.duckdb")
    first_bad = len(AGENCIES) + len(HISTORY) + 1
    assert [row for row in quarantine(con) if row[0] == "agencies.csv"] == [
        ("agencies.csv", first_bad, "bad_code"),
        ("agencies.csv", first_bad + 1, "inconsistent_dates"),
        ("agencies.csv", first_bad + 2, "bad_timestamp"),
        ("agencies.csv", first_bad + 3, "inconsistent_dates"),
        ("agencies.csv", first_bad + 4, "unknown_agency"),
        ("agencies.csv", first_bad + 5, "inconsistent_dates"),
    ]
    # the real province stays the root; the merged one stays a root of its own old tree
    assert con.execute(
        "SELECT agency_code FROM staging.agencies WHERE parent_code IS NULL ORDER BY 1").fetchall() == [
        ("NTH",), ("P",)]


def test_unit_changes_rules(tmp_path):
    changes = [
        {"MaDonVi": "NTH", "MaDonViKeThua": "P", "NgayHieuLuc": "2025-07-01"},
        {"MaDonVi": "NTW", "MaDonViKeThua": "X1", "NgayHieuLuc": ""},  # replaced by the next row
        {"MaDonVi": "NTW", "MaDonViKeThua": "PW", "NgayHieuLuc": ""},  # the day after valid_to
        {"MaDonVi": "NOPE", "MaDonViKeThua": "P", "NgayHieuLuc": "2025-07-01"},  # unknown_agency
        {"MaDonVi": "NTD", "MaDonViKeThua": "PW", "NgayHieuLuc": "2025-06-01"},  # PW not alive yet
        {"MaDonVi": "X1", "MaDonViKeThua": "H1", "NgayHieuLuc": "2026-01-01"},  # a loop X1 → H1 → X1
        {"MaDonVi": "H1", "MaDonViKeThua": "X1", "NgayHieuLuc": "2026-01-01"},
        {"MaDonVi": "D1", "MaDonViKeThua": "", "NgayHieuLuc": "2026-01-01"},  # missing_required
    ]
    con = ingest(_raw(tmp_path, HISTORY, changes), tmp_path / "wh.duckdb")
    assert [row for row in quarantine(con) if row[0] == "unit_changes.csv"] == [
        ("unit_changes.csv", 4, "unknown_agency"),
        ("unit_changes.csv", 5, "inconsistent_dates"),
        ("unit_changes.csv", 6, "bad_code"),
        ("unit_changes.csv", 7, "bad_code"),
        ("unit_changes.csv", 8, "missing_required"),
    ]
    assert con.execute("SELECT * FROM staging.unit_changes ORDER BY 1").fetchall() == [
        ("NTH", "P", dt.date(2025, 7, 1)),
        ("NTW", "PW", dt.date(2025, 7, 1)),
    ]
    files = dict(con.execute(
        "SELECT file_name, (rows_read, rows_quarantined) FROM meta.input_files WHERE kind = 'unit_changes'"
    ).fetchall())
    # every row accounted for: the replaced row counts as read and valid (a repeated key keeps its last row)
    assert files == {"unit_changes.csv": (8, 5)}
