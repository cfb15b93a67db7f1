"""docs/spec §2.1: every reason code, the value rules and the defaults, one rule per test."""

import datetime as dt
import json

import pytest

from reform_pipeline_tests.fixtures import dossier, ingest, make_raw, quarantine


def reason_for(tmp_path, row) -> str | None:
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [row]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    rows = quarantine(con)
    return rows[0][2] if rows else None


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"MaHoSo": ""}, "missing_required"),
        ({"MaTTHC": "  "}, "missing_required"),
        ({"MaDonVi": ""}, "missing_required"),
        ({"TrangThaiHoSoId": ""}, "missing_required"),
        ({"TrangThaiHoSoId": "4", "NgayTiepNhan": ""}, "missing_required"),
        ({"TrangThaiHoSoId": "9", "NgayKetThucXuLy": ""}, "missing_required"),
        ({"TrangThaiHoSoId": "10", "NgayKetThucXuLy": "", "NgayTra": ""}, "missing_required"),
        ({"NgayTiepNhan": "2025-02-30"}, "bad_timestamp"),
        ({"NgayHenTra": "13/13/2025"}, "bad_timestamp"),
        ({"NgayCapNhat": "05.03.2025"}, "bad_timestamp"),
        ({"NgayNopHoSo": "2025-03-03 08:00+07:00"}, "bad_timestamp"),
        ({"NgayTiepNhan": "0001-01-01"}, "bad_timestamp"),
        ({"KenhThucHien": "5"}, "bad_code"),
        ({"MucDo": "1"}, "bad_code"),
        ({"TrangThaiHoSoId": "11"}, "bad_code"),
        ({"DuocThanhToanTrucTuyen": "3"}, "bad_code"),
        ({"DanhGia": "5"}, "bad_code"),
        ({"HoSoCoThanhPhanSoHoa": "2"}, "bad_code"),
        ({"PhanAnhKienNghi": "maybe"}, "bad_code"),
        ({"PhiLePhi": "-5000"}, "bad_number"),
        ({"PhiLePhi": "12.5"}, "bad_number"),
        ({"SoLanBoSung": "một"}, "bad_number"),
        ({"MaDonVi": "NOT-A-UNIT"}, "unknown_agency"),
        ({"MaTTHC": "9.999999.000.00.00.H32"}, "unknown_procedure"),
        ({"NgayHenTra": "2025-03-02 17:00:00"}, "inconsistent_dates"),
        ({"NgayKetThucXuLy": "2025-03-01 10:00:00"}, "inconsistent_dates"),
        ({"NgayTra": "2025-03-02 10:00:00"}, "inconsistent_dates"),
        ({"NgayYeuCauBoSung": "2025-03-04 08:00", "NgayCongDanBoSung": "2025-03-03 08:00"}, "inconsistent_dates"),
    ],
)
def test_each_rule_has_its_reason_code(tmp_path, changes, reason):
    assert reason_for(tmp_path, dossier(**changes)) == reason


def test_the_first_rule_broken_is_the_reason(tmp_path):
    # unknown agency and dates out of order: unknown_agency comes first in docs/spec order
    row = dossier(MaDonVi="NOPE", NgayHenTra="2025-03-01")
    assert reason_for(tmp_path, row) == "unknown_agency"


def test_unreadable_status_skips_status_dependent_requirements(tmp_path):
    # received_at empty would be missing_required for a readable status; here the status is bad
    assert reason_for(tmp_path, dossier(TrangThaiHoSoId="xyz", NgayTiepNhan="")) == "bad_code"


def test_not_accepted_dossier_needs_no_received_date(tmp_path):
    assert reason_for(tmp_path, dossier(TrangThaiHoSoId="3", NgayTiepNhan="", NgayHenTra="",
                                        NgayKetThucXuLy="", NgayTra="")) is None


def test_returned_at_stands_in_for_finished_at_of_status_10(tmp_path):
    assert reason_for(tmp_path, dossier(TrangThaiHoSoId="10", NgayKetThucXuLy="")) is None


def test_same_day_earlier_time_is_not_inconsistent(tmp_path):
    assert reason_for(tmp_path, dossier(NgayKetThucXuLy="2025-03-03 07:00:00")) is None


def test_defaults_apply_to_empty_cells(tmp_path):
    row = dossier(KenhThucHien="", MucDo="", PhiLePhi="", DuocThanhToanTrucTuyen="",
                  HoSoCoThanhPhanSoHoa="", DinhKemKetQua="", PhanAnhKienNghi="", SoLanBoSung="",
                  NgayYeuCauBoSung="2025-03-04 08:00", NgayCongDanBoSung="2025-03-04 15:00")
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [row]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert con.execute(
        "SELECT channel, service_level, fee_amount, paid_online, digitized_components, "
        "result_attached, complaint, supplement_count FROM staging.dossiers"
    ).fetchone() == (1, 2, 0, 0, False, False, False, 1)


@pytest.mark.parametrize(
    "field, text, value",
    [
        ("channel", "Trực tuyến", 2),
        ("channel", "bưu  chính", 3),
        ("channel", "DIRECT", 1),
        ("service_level", "Toàn trình", 4),
        ("service_level", "một phần", 3),
        ("status", "Đã trả kết quả", 10),
        ("status", "chờ thực hiện nghĩa vụ tài chính", 6),
        ("rating", "Rất hài lòng", 4),
        ("rating", "không hài lòng", 1),
        ("complaint", "Có", True),
        ("complaint", "false", False),
        ("result_attached", "https://dichvucong.khanhhoa.gov.vn/kq/123", True),
        ("result_attached", "không", False),
    ],
)
def test_text_forms_of_codes(tmp_path, field, text, value):
    header = {"channel": "KenhThucHien", "service_level": "MucDo", "status": "TrangThaiHoSoId",
              "rating": "DanhGia", "complaint": "PhanAnhKienNghi", "result_attached": "DinhKemKetQua"}[field]
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [dossier(**{header: text})]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == []
    assert con.table("staging.dossiers").select(field).fetchall()[0][0] == value


def test_text_code_matched_whole_not_as_substring(tmp_path):
    assert reason_for(tmp_path, dossier(KenhThucHien="trực tuyến một phần")) == "bad_code"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-03-03", dt.datetime(2025, 3, 3)),
        ("2025-03-03 08:05", dt.datetime(2025, 3, 3, 8, 5)),
        ("2025-03-03T08:05:09", dt.datetime(2025, 3, 3, 8, 5, 9)),
        ("2025-03-03 08:05:09.123456", dt.datetime(2025, 3, 3, 8, 5, 9, 123456)),
        ("3/3/2025", dt.datetime(2025, 3, 3)),
        ("03/03/2025 08:05", dt.datetime(2025, 3, 3, 8, 5)),
        ("3/03/2025 08:05:09", dt.datetime(2025, 3, 3, 8, 5, 9)),
    ],
)
def test_every_accepted_timestamp_form(tmp_path, text, expected):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [dossier(NgayTiepNhan=text)]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT received_at FROM staging.dossiers").fetchone()[0] == expected


def test_quarantine_keeps_file_row_and_raw_values(tmp_path):
    rows = [dossier(MaHoSo="A"), dossier(MaHoSo="B", PhiLePhi="abc")]
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": rows})
    con = ingest(raw, tmp_path / "wh.duckdb")
    source, number, reason, values = con.execute(
        "SELECT source_file, row_number, reason, raw_values FROM meta.quarantine"
    ).fetchone()
    assert (source, number, reason) == ("dossiers_20250305.csv", 2, "bad_number")
    assert '"PhiLePhi":"abc"' in values and '"MaHoSo":"B"' in values


def test_raw_values_are_the_files_own_cells_in_order(tmp_path):
    """A rejected row's raw values: the canonical columns the file has (under its own headers, in
    the canonical order), then its other columns; an empty cell is null; nothing is escaped twice."""
    row = dossier(MaHoSo='HS "7"', PhiLePhi="abc", DanhGia="")
    del row["NgayYeuCauBoSung"]
    extra = {"GhiChu": 'a\\b "c"\nd', "Khac": ""}
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [{**extra, **row}]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    (values,) = con.execute("SELECT raw_values FROM meta.quarantine").fetchone()
    expected = {key: (value if value != "" else None) for key, value in row.items()}
    expected.update({key: (value if value != "" else None) for key, value in extra.items()})
    assert list(json.loads(values).items()) == list(expected.items())


def test_the_full_rebuilds_packed_key_picks_the_version_dossier_version_picks():
    """docs/spec §2.1's latest-version rule is defined once, dossier_version() (macros.sql); the
    full rebuild (dossiers_latest.sql) stands in a packed integer for it. Every combination of
    versions that differ in updated_at (missing or not), export name or row number: the packed
    key flags the version whose dossier_version() is the greatest."""
    import itertools

    import duckdb

    from reform_pipeline.ingest.db import prepare
    from reform_pipeline.warehouse import run_sql_file

    versions = [
        (None, "dossiers_20250302.csv", 9),
        (None, "dossiers_20250303.csv", 1),
        ("2025-03-01 08:00:00", "dossiers_20250301.csv", 5),
        ("2025-03-01 08:00:00", "dossiers_20250301.csv", 7),
        ("2025-03-01 08:00:00", "dossiers_20250302.csv", 2),
        ("2025-03-01 08:00:01", "dossiers_20250301.csv", 1),
        ("2000-01-01 00:00:00", "dossiers_20250309.csv", 3),
    ]
    con = duckdb.connect()
    prepare(con)
    dossier_number = 0
    for size in range(1, len(versions) + 1):
        for subset in itertools.combinations(versions, size):
            dossier_number += 1
            for updated_at, source_file, row_number in subset:
                con.execute(
                    "INSERT INTO staging.dossier_rows (dossier_id, updated_at, source_file, row_number) "
                    "VALUES (?, CAST(? AS TIMESTAMP), ?, ?)",
                    [f"D{dossier_number}", updated_at, source_file, row_number],
                )
    run_sql_file(con, "ingest/dossiers_latest")
    flagged = con.execute("SELECT rowid FROM staging.dossier_rows WHERE is_latest ORDER BY 1").fetchall()
    by_definition = con.execute(
        "SELECT arg_max(rowid, dossier_version(updated_at, source_file, row_number)) AS r "
        "FROM staging.dossier_rows GROUP BY dossier_id ORDER BY r"
    ).fetchall()
    assert dossier_number == 2 ** len(versions) - 1
    assert flagged == by_definition
