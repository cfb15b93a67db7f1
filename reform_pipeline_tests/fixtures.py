"""Tiny hand-made raw folders for the tests: a three-level unit tree, two procedures, dossiers."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import duckdb

from reform_pipeline.ingest.build import discover, ingest_dossiers, ingest_reference, settle_as_of

AGENCIES = [
    {"MaDonVi": "P", "TenDonVi": "UBND tỉnh Khánh Hòa", "LoaiDonVi": "province", "MaDonViCha": ""},
    {"MaDonVi": "D1", "TenDonVi": "Sở Tư pháp", "LoaiDonVi": "department", "MaDonViCha": "P"},
    {"MaDonVi": "H1", "TenDonVi": "UBND TP. Nha Trang", "LoaiDonVi": "district", "MaDonViCha": "P"},
    {"MaDonVi": "X1", "TenDonVi": "UBND phường Lộc Thọ", "LoaiDonVi": "commune", "MaDonViCha": "H1"},
]
PROCEDURES = [
    {"MaTTHC": "1.000001.000.00.00.H32", "TenTTHC": "Đăng ký khai sinh", "LinhVuc": "Hộ tịch",
     "CoQuanThucHien": "D1", "MucDo": "4", "DuDieuKienToanTrinh": "1", "ThoiHanGiaiQuyet": "3",
     "SoTruongThongTin": "10", "SoTruongThongTinGoc": "12"},
    {"MaTTHC": "1.000002.000.00.00.H32", "TenTTHC": "Cấp giấy phép xây dựng", "LinhVuc": "Xây dựng",
     "CoQuanThucHien": "H1", "MucDo": "3", "DuDieuKienToanTrinh": "0", "ThoiHanGiaiQuyet": "15",
     "SoTruongThongTin": "20", "SoTruongThongTinGoc": ""},
]
PROC_A = PROCEDURES[0]["MaTTHC"]
PROC_B = PROCEDURES[1]["MaTTHC"]

# A valid dossier in the system format; tests override single fields.
GOOD_DOSSIER = {
    "MaHoSo": "HS-001", "MaTTHC": PROC_A, "MaDonVi": "X1", "KenhThucHien": "2", "MucDo": "4",
    "TrangThaiHoSoId": "10", "NgayNopHoSo": "2025-03-03 07:50:00",
    "NgayTiepNhan": "2025-03-03 08:00:00", "NgayHenTra": "2025-03-06 17:00:00",
    "NgayKetThucXuLy": "2025-03-05 10:00:00", "NgayTra": "2025-03-05 15:00:00",
    "NgayYeuCauBoSung": "", "NgayCongDanBoSung": "", "SoLanBoSung": "", "PhiLePhi": "50000",
    "DuocThanhToanTrucTuyen": "1", "HoSoCoThanhPhanSoHoa": "1", "DinhKemKetQua": "1",
    "DanhGia": "4", "PhanAnhKienNghi": "0", "NgayCapNhat": "2025-03-05 15:00:00",
    "ChuHoSo": "Nguyễn Thị Hoa", "SoGiayTo": "056190001234", "SoDienThoai": "0905123456",
    "DiaChi": "12 Trần Phú, Nha Trang",
}


def write_csv(path: Path, rows: list[dict], delimiter: str = ",", bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    """``rows`` as a Parquet file of text columns, written through a CSV file beside it. Both paths
    are bound as parameters: a test folder's name never becomes SQL text."""
    csv_path = write_csv(path.with_suffix(".tmp.csv"), rows)
    duckdb.execute("COPY (SELECT * FROM read_csv($csv, all_varchar = true)) TO $parquet (FORMAT parquet)",
                   {"csv": str(csv_path), "parquet": str(path)})
    csv_path.unlink()
    return path


def dossier(**changes) -> dict:
    row = dict(GOOD_DOSSIER)
    row.update(changes)
    return row


def make_raw(folder: Path, dossier_files: dict[str, list[dict]] | None = None) -> Path:
    """A raw folder with the reference files and the given dossier exports (system CSV)."""
    write_csv(folder / "agencies.csv", AGENCIES)
    write_csv(folder / "procedures.csv", PROCEDURES)
    for name, rows in (dossier_files or {}).items():
        write_csv(folder / name, rows)
    return folder


def ingest(raw: Path, warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Run the whole ingest stage and return an open connection to the warehouse."""
    con = duckdb.connect(str(warehouse))
    files = discover(raw)
    ingest_reference(con, files, lambda _: None)
    ingest_dossiers(con, files["dossiers"], lambda _: None)
    settle_as_of(con, None)
    return con


def quarantine(con) -> list[tuple]:
    return con.execute(
        "SELECT source_file, row_number, reason FROM meta.quarantine ORDER BY kind, source_file, row_number"
    ).fetchall()


def pipeline_command(raw: Path, work: Path, *, dagster_home: Path | None = None,
                     args: tuple[str, ...] = ("-m", "reform_pipeline.run")) -> tuple[list[str], dict]:
    """The command ``make run`` starts (or ``args`` for this Python) and its environment: ``raw``
    as the raw folder, the warehouse and BI file in ``work``, and DAGSTER_HOME only if given."""
    env = {**os.environ, "REFORM_RAW_DIR": str(raw), "REFORM_WAREHOUSE": str(work / "reform.duckdb"),
           "REFORM_BI_DB": str(work / "bi" / "reform_bi.duckdb")}
    env.pop("DAGSTER_HOME", None)
    if dagster_home is not None:
        env["DAGSTER_HOME"] = str(dagster_home)
    return [sys.executable, *args], env
