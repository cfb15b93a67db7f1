"""docs/spec §2: formats, header aliases, the latest-version rule, re-sent and unreadable files."""

import datetime as dt
import os
import shutil

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reform_pipeline.ingest.build import MissingInput, discover, ingest_dossiers, settle_as_of
from reform_pipeline.ingest.columns import header_key, map_headers
from reform_pipeline_tests.fixtures import PROC_A, dossier, ingest, make_raw, quarantine, write_csv

VIETNAMESE = {
    "Mã hồ sơ": "HS-VN", "Mã TTHC": PROC_A, "Mã đơn vị": "X1", "Kênh thực hiện": "Trực tuyến",
    "Mức độ": "Toàn trình", "Trạng thái": "Đã trả kết quả", "Ngày nộp": "3/3/2025 07:50",
    "Ngày tiếp nhận": "03/03/2025 08:00", "Ngày hẹn trả": "06/03/2025",
    "Ngày hoàn thành": "5/3/2025 10:00", "Phí lệ phí": "50000", "Mức độ hài lòng": "Hài lòng",
    "Có phản ánh": "không", "Chủ hồ sơ": "Trần Văn Bình",
}
EXPECTED_VN = ("HS-VN", 2, 4, 10, dt.datetime(2025, 3, 3, 8, 0), dt.datetime(2025, 3, 5, 10, 0), 50000, 3, False)
SELECT_EXPECTED = (
    "SELECT dossier_id, channel, service_level, status, received_at, finished_at, fee_amount, rating, complaint "
    "FROM staging.dossiers"
)


def test_header_matching_ignores_case_space_underscore_and_diacritics():
    assert header_key("Mã hồ sơ") == header_key("MA_HO_SO") == header_key("ma ho so") == "mahoso"
    assert header_key("Đơn vị tiếp nhận") == "donvitiepnhan"
    # NFD input (combining marks) matches the NFC alias
    assert header_key("Ma\u0303 ho\u0302\u0300 so\u031b") == "mahoso"


def test_aliases_map_to_canonical_columns_and_unknown_columns_are_reported():
    mapped = map_headers("dossiers", ["MaHoSo", "Số hồ sơ", "DonViId", "Ghi chú nội bộ"])
    assert mapped.positions == {"dossier_id": 0, "agency_code": 2}
    assert mapped.repeated == ("Số hồ sơ",)
    assert mapped.unknown == ("Ghi chú nội bộ",)


def test_vietnamese_semicolon_csv_with_bom_and_day_first_dates(tmp_path):
    raw = make_raw(tmp_path / "raw")
    write_csv(raw / "dossiers_20250305.csv", [VIETNAMESE], delimiter=";", bom=True)
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == []
    assert con.execute(SELECT_EXPECTED).fetchone() == EXPECTED_VN


def test_xlsx_with_real_date_cells(tmp_path):
    raw = make_raw(tmp_path / "raw")
    book = openpyxl.Workbook()
    sheet = book.active
    row = dict(VIETNAMESE, **{
        "Ngày tiếp nhận": dt.datetime(2025, 3, 3, 8, 0), "Ngày hoàn thành": dt.datetime(2025, 3, 5, 10, 0),
        "Ngày hẹn trả": dt.date(2025, 3, 6), "Phí lệ phí": 50000.0,
    })
    sheet.append(list(row))
    sheet.append(list(row.values()))
    book.save(raw / "dossiers_20250305.xlsx")
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == []
    assert con.execute(SELECT_EXPECTED).fetchone() == EXPECTED_VN


def test_parquet_with_typed_columns(tmp_path):
    raw = make_raw(tmp_path / "raw")
    table = pa.table({
        "MaHoSo": ["HS-VN"], "MaTTHC": [PROC_A], "MaDonVi": ["X1"], "KenhThucHien": pa.array([2], pa.int32()),
        "MucDo": [4], "TrangThaiHoSoId": [10],
        "NgayTiepNhan": pa.array([dt.datetime(2025, 3, 3, 8, 0)], pa.timestamp("us")),
        "NgayHenTra": pa.array([dt.date(2025, 3, 6)], pa.date32()),
        "NgayKetThucXuLy": pa.array([dt.datetime(2025, 3, 5, 10, 0)], pa.timestamp("ms")),
        "PhiLePhi": [50000.0], "DanhGia": [3], "PhanAnhKienNghi": [False],
    })
    pq.write_table(table, raw / "dossiers_20250305.parquet")
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == []
    assert con.execute(SELECT_EXPECTED).fetchone() == EXPECTED_VN


def test_reading_parquet_leaves_no_view_in_the_warehouse(tmp_path):
    """The view over the Parquet exports lives on the ingest's connection only: a second run
    that reads more exports leaves no view behind either."""
    raw = make_raw(tmp_path / "raw")
    pq.write_table(pa.table({"MaHoSo": ["P1"], "MaTTHC": [PROC_A], "MaDonVi": ["X1"], "TrangThaiHoSoId": [2],
                             "NgayTiepNhan": ["2025-03-03 08:00:00"]}), raw / "dossiers_20250303.parquet")
    warehouse = tmp_path / "wh.duckdb"
    ingest(raw, warehouse).close()

    def stored_views(con) -> list[str]:
        return [name for (name,) in con.execute(
            "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary "
            "ORDER BY 1").fetchall()]

    with duckdb.connect(str(warehouse)) as con:
        assert stored_views(con) == ["staging.dossiers"]
    pq.write_table(pa.table({"MaHoSo": ["P2"], "MaTTHC": [PROC_A], "MaDonVi": ["X1"], "TrangThaiHoSoId": [2],
                             "NgayTiepNhan": ["2025-03-04 08:00:00"]}), raw / "dossiers_20250304.parquet")
    con = ingest(raw, warehouse)
    assert stored_views(con) == ["staging.dossiers"]
    assert con.execute("SELECT dossier_id FROM staging.dossiers ORDER BY 1").fetchall() == [("P1",), ("P2",)]



def test_parquet_typed_timestamps_follow_the_same_rules_and_keep_their_text_in_quarantine(tmp_path):
    """Typed timestamps are never turned into text for valid rows; the rules must not notice."""
    raw = make_raw(tmp_path / "raw")
    ts = pa.timestamp("ms")
    table = pa.table({
        "MaHoSo": ["OK", "NO-FINISH", "YEAR-2150", "BAD-CODE"],
        "MaTTHC": [PROC_A] * 4, "MaDonVi": ["X1"] * 4,
        "TrangThaiHoSoId": pa.array([9, 9, 4, 99], pa.int8()),
        "NgayTiepNhan": pa.array([dt.datetime(2025, 3, 3, 8, 0)] * 3 + [dt.datetime(2025, 3, 3, 8, 30, 15)], ts),
        "NgayKetThucXuLy": pa.array([dt.datetime(2025, 3, 5, 10, 0), None, dt.datetime(2150, 1, 1), None], ts),
    })
    pq.write_table(table, raw / "dossiers_20250305.parquet")
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == [
        ("dossiers_20250305.parquet", 2, "missing_required"),  # status 9 needs finished_at
        ("dossiers_20250305.parquet", 3, "bad_timestamp"),  # outside 2000–2099
        ("dossiers_20250305.parquet", 4, "bad_code"),
    ]
    raw_values = con.execute(
        "SELECT raw_values::JSON->>'NgayTiepNhan', raw_values::JSON->>'NgayKetThucXuLy' FROM meta.quarantine "
        "ORDER BY row_number").fetchall()
    assert raw_values == [("2025-03-03 08:00:00", None), ("2025-03-03 08:00:00", "2150-01-01 00:00:00"),
                          ("2025-03-03 08:30:15", None)]
    assert con.execute("SELECT dossier_id, finished_at FROM staging.dossiers").fetchall() == [
        ("OK", dt.datetime(2025, 3, 5, 10, 0))]

def test_parquet_integer_codes_flags_and_numbers_follow_the_same_rules_as_their_text(tmp_path):
    """Typed integers and booleans are checked as they are, never through text; a rejected row
    still shows them as text in the quarantine, and an integer in a timestamp column is read as
    the text it would be (not a timestamp)."""
    raw = make_raw(tmp_path / "raw")
    ts = pa.timestamp("ms")
    received = dt.datetime(2025, 3, 3, 8, 0)
    table = pa.table({
        "MaHoSo": ["OK", "CHANNEL-7", "FEE-NEGATIVE", "FLAG-2", "NO-STATUS", "TS-AS-INT", "ZERO-ATTACHED"],
        "MaTTHC": [PROC_A] * 7, "MaDonVi": ["X1"] * 7,
        "KenhThucHien": pa.array([2, 7, 1, 1, 1, 1, None], pa.int8()),
        "MucDo": pa.array([4, 4, 4, 4, 4, 4, 3], pa.int16()),
        "TrangThaiHoSoId": pa.array([4, 4, 4, 4, None, 4, 4], pa.int8()),
        "NgayTiepNhan": pa.array([received] * 7, ts),
        # row 6: an integer in a timestamp column is its text, which no accepted form reads
        "NgayCapNhat": pa.array([None, None, None, None, None, 20250303, None], pa.int64()),
        "PhiLePhi": pa.array([50000, 0, -1500, 0, 0, 0, None], pa.int64()),
        "SoLanBoSung": pa.array([0, 0, 0, 0, 0, 0, None], pa.uint8()),
        "DuocThanhToanTrucTuyen": pa.array([1, 0, 0, 0, 0, 0, 2], pa.int32()),
        "HoSoCoThanhPhanSoHoa": pa.array([1, 0, 0, 2, 0, 0, None], pa.int8()),
        "DinhKemKetQua": pa.array([True, False, False, False, False, False, False]),
        "PhanAnhKienNghi": pa.array([False, False, False, False, False, False, None]),
        "DanhGia": pa.array([4, None, None, None, None, None, 1], pa.int8()),
    })
    pq.write_table(table, raw / "dossiers_20250305.parquet")
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == [
        ("dossiers_20250305.parquet", 2, "bad_code"),  # channel 7
        ("dossiers_20250305.parquet", 3, "bad_number"),  # fee −1500
        ("dossiers_20250305.parquet", 4, "bad_code"),  # flag 2
        ("dossiers_20250305.parquet", 5, "missing_required"),  # no status
        ("dossiers_20250305.parquet", 6, "bad_timestamp"),  # 20250303 is not a timestamp form
    ]
    raw_values = con.execute(
        "SELECT raw_values::JSON->>'KenhThucHien', raw_values::JSON->>'PhiLePhi', "
        "raw_values::JSON->>'HoSoCoThanhPhanSoHoa', raw_values::JSON->>'DinhKemKetQua', "
        "raw_values::JSON->>'NgayCapNhat' FROM meta.quarantine ORDER BY row_number").fetchall()
    assert raw_values == [("7", "0", "0", "0", None), ("1", "-1500", "0", "0", None), ("1", "0", "2", "0", None),
                          ("1", "0", "0", "0", None), ("1", "0", "0", "0", "20250303")]
    assert con.execute(
        "SELECT dossier_id, channel, service_level, status, fee_amount, supplement_count, paid_online, "
        "digitized_components, result_attached, complaint, rating FROM staging.dossiers ORDER BY dossier_id"
    ).fetchall() == [
        ("OK", 2, 4, 4, 50000, 0, 1, True, True, False, 4),
        # empty cells take their defaults (docs/spec §2.1): channel 1, fee 0, no supplement, flags false
        ("ZERO-ATTACHED", 1, 3, 4, 0, 0, 2, False, False, False, 1),
    ]


def test_latest_version_by_updated_at_then_file_name_then_row(tmp_path):
    files = {
        # A: the later updated_at wins although it sits in the earlier file
        "dossiers_20250301.csv": [dossier(MaHoSo="A", TrangThaiHoSoId="10", NgayCapNhat="2025-03-09"),
                                  dossier(MaHoSo="B", TrangThaiHoSoId="4", NgayCapNhat="2025-03-02"),
                                  dossier(MaHoSo="C", TrangThaiHoSoId="4", NgayCapNhat=""),
                                  dossier(MaHoSo="D", TrangThaiHoSoId="4", NgayCapNhat="2025-03-02")],
        "dossiers_20250302.csv": [dossier(MaHoSo="A", TrangThaiHoSoId="4", NgayCapNhat="2025-03-02"),
                                  # B: same updated_at: the later file name wins
                                  dossier(MaHoSo="B", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02"),
                                  # C: a missing updated_at sorts before any value
                                  dossier(MaHoSo="C", TrangThaiHoSoId="9", NgayCapNhat="2025-03-01"),
                                  # D: same updated_at and file: the later row wins
                                  dossier(MaHoSo="D", TrangThaiHoSoId="7", NgayCapNhat="2025-03-03"),
                                  dossier(MaHoSo="D", TrangThaiHoSoId="9", NgayCapNhat="2025-03-03")],
    }
    con = ingest(make_raw(tmp_path / "raw", files), tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id, status FROM staging.dossiers ORDER BY 1").fetchall() == [
        ("A", 10), ("B", 9), ("C", 9), ("D", 9)]


def test_quarantined_version_takes_no_part_and_older_valid_version_stands(tmp_path):
    files = {
        "dossiers_20250301.csv": [dossier(MaHoSo="A", TrangThaiHoSoId="4", NgayCapNhat="2025-03-01")],
        "dossiers_20250302.csv": [dossier(MaHoSo="A", TrangThaiHoSoId="99", NgayCapNhat="2025-03-02")],
    }
    con = ingest(make_raw(tmp_path / "raw", files), tmp_path / "wh.duckdb")
    assert con.execute("SELECT status FROM staging.dossiers").fetchall() == [(4,)]
    assert quarantine(con) == [("dossiers_20250302.csv", 1, "bad_code")]


# The first export of the nightly-merge tests: twenty open dossiers N0 … N19.
FIRST_EXPORT = {"dossiers_20250301.csv": [dossier(MaHoSo=f"N{i}", TrangThaiHoSoId="4", NgayCapNhat="2025-03-01")
                                          for i in range(20)]}
LATEST = "SELECT dossier_id, status FROM staging.dossiers ORDER BY 1"


def test_nightly_merge_equals_a_full_rebuild(tmp_path):
    raw = make_raw(tmp_path / "raw", FIRST_EXPORT)
    con = ingest(raw, tmp_path / "wh.duckdb")
    write_csv(raw / "dossiers_20250302.csv", [dossier(MaHoSo="N3", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02"),
                                              dossier(MaHoSo="N4", TrangThaiHoSoId="9", NgayCapNhat="2025-02-01"),
                                              dossier(MaHoSo="NEW", TrangThaiHoSoId="4")])
    _, mode = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert mode == "incremental"
    merged = con.execute(LATEST).fetchall()
    rebuilt = ingest(raw, tmp_path / "fresh.duckdb").execute(LATEST).fetchall()
    assert merged == rebuilt
    assert ("N3", 9) in merged and ("N4", 4) in merged and ("NEW", 4) in merged


def _nightly_after(tmp_path, spoil_keys: str) -> tuple[list, list, int]:
    """A first ingest, ``spoil_keys`` run on its warehouse, then a nightly export: the merged
    latest rows, those of a full rebuild of the same files, and the stored keys that differ
    from id_key(dossier_id) after the merge."""
    raw = make_raw(tmp_path / "raw", FIRST_EXPORT)
    con = ingest(raw, tmp_path / "wh.duckdb")
    con.execute(spoil_keys)
    write_csv(raw / "dossiers_20250302.csv", [dossier(MaHoSo="N3", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02"),
                                              dossier(MaHoSo="NEW", TrangThaiHoSoId="4")])
    _, mode = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert mode == "incremental"
    stale = con.execute(
        "SELECT count(*) FROM staging.dossier_rows WHERE dossier_key IS DISTINCT FROM id_key(dossier_id)").fetchone()[0]
    return con.execute(LATEST).fetchall(), ingest(raw, tmp_path / "fresh.duckdb").execute(LATEST).fetchall(), stale


def test_the_nightly_merge_compares_dossier_ids_not_only_their_keys(tmp_path):
    """Every stored row given the key of N3 (as if all ids shared its hash): the update of N3
    still replaces N3's current row alone."""
    merged, rebuilt, _ = _nightly_after(tmp_path, "UPDATE staging.dossier_rows SET dossier_key = id_key('N3')")
    assert merged == rebuilt and ("N3", 9) in merged and len(merged) == 21


@pytest.mark.parametrize("spoil_keys", [
    # a DuckDB whose hash() differs from the one that wrote the keys
    "UPDATE staging.dossier_rows SET dossier_key = xor(dossier_key, 1); "
    "UPDATE meta.ingest_state SET dossier_key_hash = xor(dossier_key_hash, 1)",
    # a warehouse written before the keys existed
    "UPDATE staging.dossier_rows SET dossier_key = NULL; UPDATE meta.ingest_state SET dossier_key_hash = NULL",
    # a warehouse whose keys were plain hash(id), the key's earlier form, with the probe it recorded
    "UPDATE staging.dossier_rows SET dossier_key = hash(dossier_id); UPDATE meta.ingest_state "
    "SET dossier_key_hash = hash('reform_pipeline dossier_key: HS-000.00.00.H00-250101-0001 Đ')",
])
def test_stale_dossier_keys_are_computed_again_before_the_merge(tmp_path, spoil_keys):
    merged, rebuilt, stale = _nightly_after(tmp_path, spoil_keys)
    assert merged == rebuilt and ("N3", 9) in merged and len(merged) == 21
    assert stale == 0


def test_a_dossier_key_leads_with_the_day_in_its_id(tmp_path):
    """The key of an id `<unit>-<yymmdd>-<number>` orders by that day first: the nightly merge's
    key range then skips the row groups of older dossiers. Other ids get a key above every dated
    one, a NULL id none."""
    con = ingest(make_raw(tmp_path / "raw", FIRST_EXPORT), tmp_path / "wh.duckdb")

    def key(dossier_id):
        return con.execute("SELECT id_key($id)", {"id": dossier_id}).fetchone()[0]

    days = (dt.date(2024, 12, 3) - dt.date(1900, 1, 1)).days
    assert key("000.00.21.H42-241203-0001") >> 40 == days
    assert key("000.00.21.H42-241203-0002") >> 40 == days
    assert key("000.00.21.H42-241203-0001") != key("000.00.21.H42-241203-0002")
    assert key("G22.99-231231-9999") < key("000.00.21.H42-240101-0001") < key("A-241203-0001")
    # not a date in that place: a hashed key with the top bit set
    for undated in ("N3", "HS-VN", "000.00.21.H42-241303-0001", "000.00.21.H42-241203-0001-N7"):
        assert key(undated) >> 63 == 1
    assert key(None) is None


def test_the_nightly_merge_finds_old_dossiers_among_recent_ones(tmp_path):
    """Dated ids over two years, stored in export order: an export updating a dossier received
    long ago, recent ones and an undated one merges as a full rebuild does."""
    old = [dossier(MaHoSo=f"000.00.01.H01-2301{day:02d}-0001", TrangThaiHoSoId="4", NgayCapNhat="2023-02-01")
           for day in range(1, 21)]
    recent = [dossier(MaHoSo=f"000.00.01.H01-2502{day:02d}-0001", TrangThaiHoSoId="4", NgayCapNhat="2025-03-01")
              for day in range(1, 21)]
    raw = make_raw(tmp_path / "raw", {"dossiers_20230201.csv": old, "dossiers_20250301.csv": recent + FIRST_EXPORT[
        "dossiers_20250301.csv"]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    write_csv(raw / "dossiers_20250302.csv", [
        dossier(MaHoSo="000.00.01.H01-230105-0001", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02"),
        dossier(MaHoSo="000.00.01.H01-250207-0001", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02"),
        dossier(MaHoSo="N3", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02"),
        dossier(MaHoSo="000.00.01.H01-250302-0001", TrangThaiHoSoId="4", NgayCapNhat="2025-03-02")])
    _, mode = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert mode == "incremental"
    merged = con.execute(LATEST).fetchall()
    assert merged == ingest(raw, tmp_path / "fresh.duckdb").execute(LATEST).fetchall()
    assert {("000.00.01.H01-230105-0001", 9), ("000.00.01.H01-250207-0001", 9), ("N3", 9),
            ("000.00.01.H01-250302-0001", 4)} <= set(merged)
    assert len(merged) == 61


def test_keys_written_before_the_first_merge_are_checked_by_it(tmp_path, monkeypatch):
    """Rows validated by a run that stopped before the first merge, under a DuckDB that hashed
    differently: the first merge computes their keys again, so later merges find them."""
    import reform_pipeline.ingest.build as build

    raw = make_raw(tmp_path / "raw", FIRST_EXPORT)
    with monkeypatch.context() as patched:
        patched.setattr(build, "merge_dossiers", lambda _: "none")
        con = ingest(raw, tmp_path / "wh.duckdb")
    con.execute("UPDATE staging.dossier_rows SET dossier_key = xor(dossier_key, 1)")
    assert ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)[1] == "full"
    write_csv(raw / "dossiers_20250302.csv", [dossier(MaHoSo="N3", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02")])
    assert ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)[1] == "incremental"
    assert con.execute("SELECT status FROM staging.dossiers WHERE dossier_id = 'N3'").fetchall() == [(9,)]


def test_a_merge_finds_the_rows_of_an_export_validated_before_batches_were_numbered(tmp_path, monkeypatch):
    """An export validated but not merged (the run stopped in between) by a version that did not
    number its batches, merged together with a new one: both exports' rows take part."""
    import reform_pipeline.ingest.build as build

    raw = make_raw(tmp_path / "raw", FIRST_EXPORT)
    con = ingest(raw, tmp_path / "wh.duckdb")
    write_csv(raw / "dossiers_20250302.csv", [dossier(MaHoSo="N3", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02")])
    with monkeypatch.context() as patched:
        patched.setattr(build, "merge_dossiers", lambda _: "none")
        ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    con.execute("UPDATE staging.dossier_rows SET batch_seq = 0 WHERE source_file = 'dossiers_20250302.csv'")
    con.execute("UPDATE meta.input_files SET batch_seq = NULL WHERE file_name = 'dossiers_20250302.csv'")
    write_csv(raw / "dossiers_20250303.csv", [dossier(MaHoSo="NEW", TrangThaiHoSoId="4")])
    _, mode = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert mode == "incremental"
    merged = con.execute(LATEST).fetchall()
    assert merged == ingest(raw, tmp_path / "fresh.duckdb").execute(LATEST).fetchall()
    assert ("N3", 9) in merged and ("NEW", 4) in merged


def test_the_default_as_of_follows_every_valid_row_through_nightly_merges(tmp_path):
    """docs/spec §3: the latest date among valid dossier rows. A nightly merge keeps it from the new
    rows only; a file whose content is replaced can move it back (a full rebuild)."""
    def open_dossier(dossier_id: str, day: str) -> dict:
        return dossier(MaHoSo=dossier_id, TrangThaiHoSoId="4", NgayNopHoSo=f"{day} 07:00:00",
                       NgayTiepNhan=f"{day} 08:00:00", NgayHenTra="", NgayKetThucXuLy="", NgayTra="",
                       NgayCapNhat=f"{day} 08:00:00")

    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [dossier(MaHoSo=f"N{i}") for i in range(20)]})
    con = ingest(raw, tmp_path / "wh.duckdb")

    def nightly() -> tuple[str, dt.date]:
        _, mode = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
        return mode, settle_as_of(con, None)[0]

    assert settle_as_of(con, None)[0] == dt.date(2025, 3, 5)  # NgayTra / NgayCapNhat of GOOD_DOSSIER
    write_csv(raw / "dossiers_20250306.csv", [open_dossier("OLD", "2025-02-01")])
    assert nightly() == ("incremental", dt.date(2025, 3, 5))
    write_csv(raw / "dossiers_20250309.csv", [open_dossier("LATER", "2025-03-09"),
                                              open_dossier("BAD", "2025-04-30") | {"PhiLePhi": "x"}])
    assert nightly() == ("incremental", dt.date(2025, 3, 9))  # the quarantined row does not count
    write_csv(raw / "dossiers_20250309.csv", [open_dossier("LATER", "2025-03-07")])
    os.utime(raw / "dossiers_20250309.csv", (1_800_000_000, 1_800_000_000))
    assert nightly() == ("full", dt.date(2025, 3, 7))


def test_a_file_is_ingested_once_and_a_renamed_copy_counts_nothing(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A"), dossier(MaHoSo="B", PhiLePhi="x")]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    shutil.copy(raw / "dossiers_20250301.csv", raw / "dossiers_20250301 (copy).csv")
    reports, _ = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert {r.file_name: r.status for r in reports} == {
        "dossiers_20250301 (copy).csv": "duplicate", "dossiers_20250301.csv": "unchanged"}
    # every row read is stored once: A valid, B quarantined
    assert con.execute("SELECT count(*), count(reason) FROM staging.dossier_rows").fetchone() == (2, 1)
    assert len(quarantine(con)) == 1


def test_a_changed_file_replaces_its_earlier_content(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A"), dossier(MaHoSo="B", PhiLePhi="x")]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    write_csv(raw / "dossiers_20250301.csv", [dossier(MaHoSo="A", TrangThaiHoSoId="9"), dossier(MaHoSo="C")])
    os.utime(raw / "dossiers_20250301.csv", (1_800_000_000, 1_800_000_000))
    ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert con.execute("SELECT dossier_id, status FROM staging.dossiers ORDER BY 1").fetchall() == [("A", 9), ("C", 10)]
    assert quarantine(con) == []
    assert con.execute("SELECT count(*) FROM staging.dossier_rows").fetchone() == (2,)


def test_an_unreadable_file_is_reported_and_skipped_while_the_others_go_on(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    (raw / "dossiers_20250302.xlsx").write_bytes(b"this is not a zip archive")
    (raw / "dossiers_20250303.parquet").write_bytes(b"PAR1 broken")
    con = ingest(raw, tmp_path / "wh.duckdb")
    files = dict(con.execute("SELECT file_name, status FROM meta.input_files WHERE kind = 'dossiers'").fetchall())
    assert files == {"dossiers_20250301.csv": "ingested", "dossiers_20250302.xlsx": "unreadable",
                     "dossiers_20250303.parquet": "unreadable"}
    assert con.execute("SELECT count(*) FROM staging.dossiers").fetchone() == (1,)


@pytest.mark.parametrize("kind", ["agencies", "procedures"])
def test_a_missing_required_input_names_the_prefix_and_folder(tmp_path, kind):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    (raw / f"{kind}.csv").unlink()
    with pytest.raises(MissingInput, match=f"{kind}\\*"):
        ingest(raw, tmp_path / "wh.duckdb")


def test_no_dossier_exports_at_all_is_a_missing_input(tmp_path):
    with pytest.raises(MissingInput, match="dossiers\\*"):
        ingest(make_raw(tmp_path / "raw"), tmp_path / "wh.duckdb")


def test_empty_and_header_only_files_read_zero_rows(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    (raw / "dossiers_20250302.csv").write_text("")
    (raw / "dossiers_20250303.csv").write_text("MaHoSo,MaTTHC,MaDonVi\n")
    con = ingest(raw, tmp_path / "wh.duckdb")
    # a zero-byte file is not read but skipped (docs/spec §2.0, "What is read";
    # reform_pipeline_tests/ingest/test_what_is_read.py)
    assert con.execute(
        "SELECT file_name, status, rows_read FROM meta.input_files WHERE kind = 'dossiers' ORDER BY 1").fetchall() == [
        ("dossiers_20250301.csv", "ingested", 1), ("dossiers_20250303.csv", "ingested", 0)]


def test_row_with_too_many_fields_is_quarantined_not_lost(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A"), dossier(MaHoSo="B")]})
    path = raw / "dossiers_20250301.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2] + ",extra,values"
    path.write_text("\n".join(lines) + "\n")
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == [("dossiers_20250301.csv", 2, "malformed_row")]
    assert con.execute("SELECT dossier_id FROM staging.dossiers").fetchall() == [("A",)]


def test_a_known_file_resent_with_another_files_content_drops_its_old_rows(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")],
                                      "dossiers_20250302.csv": [dossier(MaHoSo="B")]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    shutil.copy(raw / "dossiers_20250302.csv", raw / "dossiers_20250301.csv")
    os.utime(raw / "dossiers_20250301.csv", (1_800_000_000, 1_800_000_000))
    reports, _ = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert {r.file_name: r.status for r in reports}["dossiers_20250301.csv"] == "duplicate"
    assert con.execute("SELECT dossier_id FROM staging.dossiers").fetchall() == [("B",)]
    assert con.execute("SELECT count(*) FROM staging.dossier_rows").fetchone() == (1,)


def test_csv_row_numbers_hold_when_tables_are_written_unordered(tmp_path):
    import duckdb

    from reform_pipeline.ingest.build import ingest_reference
    from reform_pipeline.settings import Settings

    files = {
        f"dossiers_2025030{day}.csv": [dossier(MaHoSo=f"D{day}-{i}", PhiLePhi="x" if i == 2499 else "0")
                                       for i in range(3000)]
        for day in (1, 2)
    }
    raw = make_raw(tmp_path / "raw", files)
    warehouse = tmp_path / "wh.duckdb"
    settings = Settings(raw, warehouse, tmp_path / "bi.duckdb", None)
    con = duckdb.connect(str(warehouse), config=settings.duckdb_config())
    found = discover(raw)
    ingest_reference(con, found, lambda _: None)
    ingest_dossiers(con, found["dossiers"], lambda _: None)
    assert quarantine(con) == [("dossiers_20250301.csv", 2500, "bad_number"), ("dossiers_20250302.csv", 2500, "bad_number")]
    assert con.execute("SELECT count(*), count(reason) FROM staging.dossier_rows").fetchone() == (6000, 2)


def test_parquet_zoned_timestamps_are_read_in_vietnam_time(tmp_path):
    raw = make_raw(tmp_path / "raw")
    zoned = pa.timestamp("us", tz="UTC")
    table = pa.table({
        "MaHoSo": ["Z", "Z-BAD"], "MaTTHC": [PROC_A] * 2, "MaDonVi": ["X1"] * 2,
        "TrangThaiHoSoId": pa.array([4, 99], pa.int8()),
        "NgayTiepNhan": pa.array([dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.timezone.utc)] * 2, zoned),
    })
    pq.write_table(table, raw / "dossiers_20250305.parquet")
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT received_at FROM staging.dossiers").fetchall() == [(dt.datetime(2025, 3, 3, 8, 0),)]
    assert con.execute("SELECT raw_values::JSON->>'NgayTiepNhan' FROM meta.quarantine").fetchall() == [
        ("2025-03-03 08:00:00",)]


def test_a_warehouse_that_still_has_the_reader_column_loses_it_and_keeps_working(tmp_path):
    """meta.input_files.reader was never written (always NULL): the next run drops it, and files
    are recorded by column name either way."""
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="R1")]})
    warehouse = tmp_path / "wh.duckdb"
    ingest(raw, warehouse).close()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("ALTER TABLE meta.input_files ADD COLUMN reader VARCHAR")
    write_csv(raw / "dossiers_20250302.csv", [dossier(MaHoSo="R2")])
    con = ingest(raw, warehouse)
    columns = [name for (name,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'meta' "
        "AND table_name = 'input_files'").fetchall()]
    assert "reader" not in columns and "batch_seq" in columns
    assert con.execute("SELECT dossier_id FROM staging.dossiers ORDER BY 1").fetchall() == [("R1",), ("R2",)]
