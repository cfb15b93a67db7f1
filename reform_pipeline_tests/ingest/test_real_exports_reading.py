"""docs/spec §2.0, files as provincial systems write them: header rows under a title block,
workbooks of several sheets, Excel error cells, the encodings and separators of real CSV exports,
the export's own row-number column, and Parquet exports whose columns carry DuckDB's own names.

Each file is built here the way the tool that writes it does (openpyxl for .xlsx, xlwt for .xls,
Python's codecs for the code pages)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import unicodedata
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reform_pipeline.ingest.build import discover, ingest_dossiers, settle_as_of
from reform_pipeline.ingest.columns import header_row, kind_of_file, map_headers
from reform_pipeline.ingest.readers import UnreadableFile, stage_source
from reform_pipeline.ingest.reference import ingest_reference
from reform_pipeline_tests.fixtures import GOOD_DOSSIER, dossier, make_raw, quarantine

TITLE_BLOCK = [
    ["ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA"],
    ["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"],
    ["Từ ngày 01/03/2025 đến ngày 31/03/2025"],
    [],
]
SECRET_NAME = "Lê Thị Bí Mật"
SECRET_PHONE = "0987654321"


def ingest_logged(raw: Path, warehouse: Path) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """The ingest stage (as fixtures.ingest), keeping every line it logs."""
    log: list[str] = []
    con = duckdb.connect(str(warehouse))
    files = discover(raw)
    ingest_reference(con, files, log.append)
    ingest_dossiers(con, files["dossiers"], log.append)
    settle_as_of(con, None)
    return con, log


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def export_rows(*dossiers: dict) -> list[list[str]]:
    return [list(GOOD_DOSSIER)] + [list(d.values()) for d in dossiers]


def files_of(con) -> dict[str, tuple]:
    return {
        name: (status, message, read, rejected)
        for name, status, message, read, rejected in con.execute(
            "SELECT file_name, status, message, rows_read, rows_quarantined FROM meta.input_files "
            "WHERE kind = 'dossiers'").fetchall()
    }


def raw_values(con, file_name: str, row_number: int) -> dict:
    return json.loads(con.execute(
        "SELECT raw_values FROM meta.quarantine WHERE source_file = ? AND row_number = ?",
        [file_name, row_number]).fetchone()[0])


def to_cp1258(text: str) -> bytes:
    """``text`` as Windows-1258 writes it: a base letter (perhaps with its own mark) and a tone mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            # the letter with the one mark the code page has precomposed (ơ, ư, â, ê, ô, ă), then the tone
            for mark in marks:
                letter = unicodedata.normalize("NFC", base + mark)
                try:
                    out += (letter + "".join(m for m in marks if m != mark)).encode("cp1258")
                    break
                except UnicodeEncodeError:
                    continue
            else:
                out += (base + "".join(marks)).encode("cp1258")
    return out


# --- header row ------------------------------------------------------------------------------


def test_header_row_needs_three_columns_of_its_kind_two_for_calendar():
    rows = [["Báo cáo"], ["MaHoSo", "Ghi chú", "Tên"], ["MaHoSo", "MaTTHC", "x"], ["MaHoSo", "MaTTHC", "MaDonVi"]]
    assert header_row("dossiers", rows) == 3
    assert header_row("dossiers", rows[:3]) is None
    assert header_row("calendar", [["Lịch"], ["Ngày", "Làm việc"]]) == 1
    # only the first 30 rows are searched
    assert header_row("dossiers", [["x"]] * 30 + [["MaHoSo", "MaTTHC", "MaDonVi"]]) is None
    assert header_row("dossiers", [["x"]] * 29 + [["MaHoSo", "MaTTHC", "MaDonVi"]]) == 29
    # the export's row number is not one of the three
    assert header_row("dossiers", [["STT", "MaHoSo", "MaTTHC"]]) is None


def test_a_csv_title_block_is_skipped_and_rows_count_below_the_header(tmp_path):
    raw = make_raw(tmp_path / "raw")
    # two exports with the same title block: read together by DuckDB's reader, told to skip it
    for day in (1, 2):
        rows = TITLE_BLOCK + export_rows(dossier(MaHoSo=f"A{day}"), dossier(MaHoSo=f"B{day}", PhiLePhi="-5"))
        (raw / f"dossiers_2025030{day}.csv").write_text(csv_text(rows), encoding="utf-8")
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == [("dossiers_20250301.csv", 2, "bad_number"), ("dossiers_20250302.csv", 2, "bad_number")]
    assert con.execute("SELECT dossier_id FROM staging.dossiers ORDER BY 1").fetchall() == [("A1",), ("A2",)]
    assert {name: f[2] for name, f in files_of(con).items()} == {
        "dossiers_20250301.csv": 2, "dossiers_20250302.csv": 2}


def test_a_title_block_over_an_irregular_file_is_skipped_by_the_row_by_row_reader_too(tmp_path):
    raw = make_raw(tmp_path / "raw")
    rows = TITLE_BLOCK + export_rows(dossier(MaHoSo="A"), dossier(MaHoSo="B"), dossier(MaHoSo="C"))
    rows[-2] = rows[-2] + ["one field too many"]
    (raw / "dossiers_20250301.csv").write_text(csv_text(rows, ";"), encoding="utf-8-sig")
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == [("dossiers_20250301.csv", 2, "malformed_row")]
    assert con.execute("SELECT dossier_id FROM staging.dossiers ORDER BY 1").fetchall() == [("A",), ("C",)]


def test_xlsx_title_block_and_a_two_row_merged_header(tmp_path):
    raw = make_raw(tmp_path / "raw")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA"])
    sheet.merge_cells("A1:H1")
    sheet.append(["Từ ngày 01/03/2025 đến ngày 31/03/2025"])
    sheet.merge_cells("A2:H2")
    # the upper header row groups columns under merged cells; the row below names them
    sheet.append(["STT", "Thông tin hồ sơ", None, None, "Thời gian", None, None, "Kết quả"])
    sheet.merge_cells("B3:D3")
    sheet.merge_cells("E3:G3")
    sheet.append(["STT", "Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả",
                  "Ngày hoàn thành", "Trạng thái"])
    received = dt.datetime(2025, 3, 3, 8, 0)
    sheet.append([1, "HS-1", GOOD_DOSSIER["MaTTHC"], "X1", received, dt.date(2025, 3, 6),
                  dt.datetime(2025, 3, 5, 10, 0), "Đã trả kết quả"])
    sheet.append([2, "HS-2", GOOD_DOSSIER["MaTTHC"], "X1", received, None, None, "Đã trả kết quả"])
    book.save(raw / "dossiers_20250301.xlsx")
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id, received_at, due_at, finished_at FROM staging.dossiers").fetchall() == [
        ("HS-1", received, dt.datetime(2025, 3, 6), dt.datetime(2025, 3, 5, 10, 0))]
    # row 2 below the header: status 10 without a finishing or return date
    assert quarantine(con) == [("dossiers_20250301.xlsx", 2, "missing_required")]
    assert files_of(con)["dossiers_20250301.xlsx"][0] == "ingested"
    assert con.execute("SELECT unknown_columns FROM meta.input_files WHERE file_name = 'dossiers_20250301.xlsx'"
                       ).fetchone() == ([],)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_file_without_a_header_row_is_unreadable_and_none_of_its_cells_is_reported(tmp_path, suffix):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    # a header-less export: its first row is an applicant's dossier
    values = list(dossier(MaHoSo="HS-SECRET", ChuHoSo=SECRET_NAME, SoDienThoai=SECRET_PHONE).values())
    path = raw / f"dossiers_20250302{suffix}"
    if suffix == ".csv":
        path.write_text(csv_text([values, values]), encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        book.active.append(values)
        book.active.append(values)
        book.save(path)
    con, log = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert files_of(con)[path.name][:2] == ("unreadable", "no header row found")
    with pytest.raises(UnreadableFile, match="^no header row found$"):
        stage_source(duckdb.connect(), path)
    everything = "\n".join(log) + "\n".join(
        str(row) for table in ("input_files", "quarantine") for row in con.execute(f"SELECT * FROM meta.{table}").fetchall())
    for secret in (SECRET_NAME, SECRET_PHONE, "HS-SECRET"):
        assert secret not in everything


# --- sheets ----------------------------------------------------------------------------------


def test_a_workbook_is_read_from_its_first_sheet_with_a_header_and_the_others_are_named(tmp_path):
    raw = make_raw(tmp_path / "raw")
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = "Hướng dẫn"
    guide.append(["Điền mỗi hồ sơ một dòng ở trang Dữ liệu"])
    data = book.create_sheet("Dữ liệu")
    for row in export_rows(dossier(MaHoSo="A"), dossier(MaHoSo="B")):
        data.append(row)
    summary = book.create_sheet("Tổng hợp")
    for row in export_rows(dossier(MaHoSo="NOT-READ")):
        summary.append(row)
    path = raw / "dossiers_20250301.xlsx"
    book.save(path)
    source = stage_source(duckdb.connect(), path)
    assert source.ignored_sheets == ["Hướng dẫn", "Tổng hợp"]
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id FROM staging.dossiers ORDER BY 1").fetchall() == [("A",), ("B",)]


def test_a_legacy_xls_workbook_is_read(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt (the .xls writer, dev extra) is not installed: "
                                              ".xls reading is not exercised")
    assert kind_of_file("dossiers_20250301.xls") == "dossiers"
    raw = make_raw(tmp_path / "raw")
    book = xlwt.Workbook(encoding="utf-8")
    cover = book.add_sheet("Bia")
    cover.write(0, 0, "BÁO CÁO")
    sheet = book.add_sheet("Du lieu")
    sheet.write(0, 0, "ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA")
    stamp = xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM")
    for row, values in enumerate(export_rows(dossier(MaHoSo="A"), dossier(MaHoSo="B", PhiLePhi="abc")), start=2):
        for column, value in enumerate(values):
            if row > 2 and list(GOOD_DOSSIER)[column] == "NgayTiepNhan":
                sheet.write(row, column, dt.datetime(2025, 3, 3, 8, 0), stamp)
            else:
                sheet.write(row, column, value)
    path = raw / "dossiers_20250301.xls"
    book.save(str(path))
    assert stage_source(duckdb.connect(), path).ignored_sheets == ["Bia"]
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id, received_at FROM staging.dossiers").fetchall() == [
        ("A", dt.datetime(2025, 3, 3, 8, 0))]
    assert quarantine(con) == [("dossiers_20250301.xls", 2, "bad_number")]


# --- Excel cells -----------------------------------------------------------------------------


def test_excel_error_cells_are_their_text_and_break_their_columns_rule(tmp_path):
    raw = make_raw(tmp_path / "raw")
    book = openpyxl.Workbook()
    sheet = book.active
    rows = export_rows(
        dossier(MaHoSo="OK"),
        dossier(MaHoSo="FEE", PhiLePhi="#N/A"),
        dossier(MaHoSo="STATUS", TrangThaiHoSoId="#REF!"),
        dossier(MaHoSo="DATE", NgayTiepNhan="#VALUE!"),
        dossier(MaHoSo="COUNT", SoLanBoSung="#DIV/0!"),
    )
    for row in rows:
        sheet.append(row)
    for cell in ("O3", "F4", "H5", "N6"):  # openpyxl writes '#…' values as error cells
        assert sheet[cell].data_type == "e", cell
    book.save(raw / "dossiers_20250301.xlsx")
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == [
        ("dossiers_20250301.xlsx", 2, "bad_number"), ("dossiers_20250301.xlsx", 3, "bad_code"),
        ("dossiers_20250301.xlsx", 4, "bad_timestamp"), ("dossiers_20250301.xlsx", 5, "bad_number")]
    assert raw_values(con, "dossiers_20250301.xlsx", 1 + 1)["PhiLePhi"] == "#N/A"
    assert raw_values(con, "dossiers_20250301.xlsx", 3)["TrangThaiHoSoId"] == "#REF!"
    assert con.execute("SELECT dossier_id FROM staging.dossiers").fetchall() == [("OK",)]


# --- CSV text --------------------------------------------------------------------------------


def test_one_byte_that_is_not_utf8_costs_one_row_not_the_file(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="OTHER")]})
    rows = export_rows(*(dossier(MaHoSo=f"HS-{i:03}") for i in range(1, 201)))
    rows[117][list(GOOD_DOSSIER).index("TrangThaiHoSoId")] = ""  # also missing: bad_encoding comes first
    lines = csv_text(rows).encode("utf-8").split(b"\r\n")
    lines[117] = lines[117].replace("Trần Phú".encode(), b"Tr\xe2n Ph\xfa")  # Windows-1258 bytes
    (raw / "dossiers_20250302.csv").write_bytes(b"\r\n".join(lines))
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert files_of(con)["dossiers_20250302.csv"][2:] == (200, 1)
    assert quarantine(con) == [("dossiers_20250302.csv", 117, "bad_encoding")]
    assert con.execute("SELECT count(*) FROM staging.dossier_rows WHERE reason IS NULL").fetchone() == (200,)
    # the other rows keep their Vietnamese text: the file was read as UTF-8
    assert con.execute("SELECT DISTINCT applicant_address FROM staging.dossier_rows WHERE reason IS NULL"
                       ).fetchall() == [("12 Trần Phú, Nha Trang",)]
    assert raw_values(con, "dossiers_20250302.csv", 117)["MaHoSo"] == "HS-117"


def test_utf16le_with_a_bom_and_tabs_as_excel_unicode_text_writes_it(tmp_path):
    raw = make_raw(tmp_path / "raw")
    rows = TITLE_BLOCK[:1] + export_rows(dossier(MaHoSo="A", ChuHoSo="Trần Văn Bình"), dossier(MaHoSo="B"))
    (raw / "dossiers_20250301.csv").write_bytes(codecs.BOM_UTF16_LE + csv_text(rows, "\t").encode("utf-16-le"))
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id, applicant_name FROM staging.dossier_rows ORDER BY 1").fetchall() == [
        ("A", "Trần Văn Bình"), ("B", GOOD_DOSSIER["ChuHoSo"])]
    assert quarantine(con) == []


def test_a_windows_1258_file_with_vietnamese_headers_and_semicolons(tmp_path):
    raw = make_raw(tmp_path / "raw")
    header = ["Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh thực hiện", "Trạng thái", "Ngày tiếp nhận",
              "Ngày hoàn thành", "Chủ hồ sơ"]
    rows = [["BÁO CÁO HỒ SƠ"], header,
            ["A", GOOD_DOSSIER["MaTTHC"], "X1", "Trực tuyến", "Đã xử lý xong", "03/03/2025 08:00",
             "05/03/2025 10:00", "Trần Văn Bình"]]
    (raw / "dossiers_20250301.csv").write_bytes(to_cp1258(unicodedata.normalize("NFC", csv_text(rows, ";"))))
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == []
    name, = con.execute("SELECT applicant_name FROM staging.dossier_rows").fetchone()
    assert unicodedata.normalize("NFC", name) == "Trần Văn Bình"
    assert con.execute("SELECT dossier_id, channel, status FROM staging.dossiers").fetchall() == [("A", 2, 9)]


def test_the_separator_is_the_one_the_header_row_holds_most_of(tmp_path):
    raw = make_raw(tmp_path / "raw")
    rows = export_rows(dossier(MaHoSo="A", DiaChi="12 Trần Phú; Nha Trang, Khánh Hòa"))
    (raw / "dossiers_20250301.csv").write_text(csv_text(rows, "\t"), encoding="utf-8")
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id, applicant_address FROM staging.dossier_rows").fetchall() == [
        ("A", "12 Trần Phú; Nha Trang, Khánh Hòa")]


# --- row-number columns ----------------------------------------------------------------------


def test_row_number_columns_are_recognised_and_ignored():
    header_map = map_headers("dossiers", ["STT", "MaHoSo", "Số thứ tự", "tt", "Cột lạ"])
    assert header_map.row_numbers == (0, 2, 3)
    assert header_map.unknown == ("Cột lạ",)


@pytest.mark.parametrize("row_number_header", ["STT", "Số thứ tự", "TT"])
def test_an_exports_row_number_column_is_neither_data_nor_an_unknown_column(tmp_path, row_number_header):
    raw = make_raw(tmp_path / "raw")
    rows = export_rows(dossier(MaHoSo="A"), dossier(MaHoSo="B", PhiLePhi="x"))
    rows = [[row_number_header, *rows[0]]] + [[str(i), *row] for i, row in enumerate(rows[1:], start=1)]
    (raw / "dossiers_20250301.csv").write_text(csv_text(rows), encoding="utf-8")
    (raw / "calendar.csv").write_text(csv_text([["STT", "Ngày", "Làm việc"], ["1", "2025-03-08", "1"]]))
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT file_name, unknown_columns FROM meta.input_files ORDER BY 1").fetchall() == [
        ("agencies.csv", []), ("calendar.csv", []), ("dossiers_20250301.csv", []), ("procedures.csv", [])]
    assert quarantine(con) == [("dossiers_20250301.csv", 2, "bad_number")]
    assert row_number_header not in raw_values(con, "dossiers_20250301.csv", 2)


# --- Parquet ---------------------------------------------------------------------------------


def test_a_parquet_export_with_columns_named_filename_and_file_row_number(tmp_path):
    raw = make_raw(tmp_path / "raw")
    values = {name: [dossier(MaHoSo="A")[name], dossier(MaHoSo="B")[name]] for name in GOOD_DOSSIER}
    table = pa.table({
        "file_row_number": pa.array([7, 8], pa.int64()), "filename": ["a.pdf", "b.pdf"],
        **values, "PhiLePhi": pa.array([50000, -1], pa.int64()),
    })
    pq.write_table(table, raw / "dossiers_20250301.parquet")
    pq.write_table(table.drop_columns(["file_row_number"]), raw / "dossiers_20250302.parquet")
    pq.write_table(table.drop_columns(["filename", "file_row_number"]).set_column(
        0, "MaHoSo", pa.array(["C", "D"])), raw / "dossiers_20250303.parquet")
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == [("dossiers_20250301.parquet", 2, "bad_number"),
                               ("dossiers_20250302.parquet", 2, "bad_number"),
                               ("dossiers_20250303.parquet", 2, "bad_number")]
    assert con.execute("SELECT dossier_id FROM staging.dossiers ORDER BY 1").fetchall() == [("A",), ("C",)]
    unknown = dict(con.execute("SELECT file_name, unknown_columns FROM meta.input_files WHERE kind = 'dossiers'"
                               ).fetchall())
    assert unknown["dossiers_20250301.parquet"] == ["file_row_number", "filename"]
    assert raw_values(con, "dossiers_20250301.parquet", 2)["filename"] == "b.pdf"


def test_legacy_xls_error_cells_are_their_text_too(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt (the .xls writer, dev extra) is not installed: "
                                              ".xls error cells are not exercised")
    raw = make_raw(tmp_path / "raw")
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("Bìa").write(0, 0, "BÁO CÁO")
    sheet = book.add_sheet("Dữ liệu")
    columns = list(GOOD_DOSSIER)
    rows = export_rows(dossier(MaHoSo="OK"), dossier(MaHoSo="FEE"), dossier(MaHoSo="STATUS"))
    errors = {(2, columns.index("PhiLePhi")): 0x2A, (3, columns.index("TrangThaiHoSoId")): 0x17}  # #N/A, #REF!
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            if (row, column) in errors:
                sheet.row(row).set_cell_error(column, errors[(row, column)])
            else:
                sheet.write(row, column, value)
    book.save(str(raw / "dossiers_20250301.xls"))
    con, _ = ingest_logged(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == [("dossiers_20250301.xls", 2, "bad_number"), ("dossiers_20250301.xls", 3, "bad_code")]
    assert raw_values(con, "dossiers_20250301.xls", 2)["PhiLePhi"] == "#N/A"
    assert raw_values(con, "dossiers_20250301.xls", 3)["TrangThaiHoSoId"] == "#REF!"
