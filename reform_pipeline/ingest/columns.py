"""Canonical columns, their aliases and header matching (docs/spec §2, §2.1–2.5).

Pure Python: no DuckDB, no Dagster. The value rules (timestamps, code lists, numbers) live in
``sql/ingest/macros.sql`` so that they run set-based over millions of rows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Input kinds, recognised by file-name prefix (docs/spec §2). Order matters: dependencies first.
KINDS = ("agencies", "unit_changes", "procedures", "calendar", "targets", "rankings", "dossiers")
EXTENSIONS = (".csv", ".xlsx", ".xls", ".parquet")

# canonical name -> aliases, per kind. The canonical name itself always matches too.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "dossiers": {
        "dossier_id": ("MaHoSo", "Mã hồ sơ", "Số hồ sơ"),
        "procedure_code": ("MaTTHC", "Mã TTHC", "Mã thủ tục"),
        "agency_code": ("MaDonVi", "DonViId", "Mã đơn vị", "Đơn vị tiếp nhận"),
        "channel": ("KenhThucHien", "Kênh thực hiện", "Hình thức nộp"),
        "service_level": ("MucDo", "Mức độ"),
        "status": ("TrangThaiHoSoId", "Trạng thái"),
        "submitted_at": ("NgayNopHoSo", "Ngày nộp"),
        "received_at": ("NgayTiepNhan", "Ngày tiếp nhận"),
        "due_at": ("NgayHenTra", "Ngày hẹn trả"),
        "finished_at": ("NgayKetThucXuLy", "Ngày kết thúc xử lý", "Ngày hoàn thành"),
        "returned_at": ("NgayTra", "Ngày trả kết quả"),
        "supplement_requested_at": ("NgayYeuCauBoSung", "Ngày yêu cầu bổ sung"),
        "supplement_received_at": ("NgayCongDanBoSung", "Ngày công dân bổ sung"),
        "supplement_count": ("SoLanBoSung", "Số lần bổ sung"),
        "fee_amount": ("PhiLePhi", "Phí lệ phí"),
        "paid_online": ("DuocThanhToanTrucTuyen", "Được thanh toán trực tuyến"),
        "digitized_components": ("HoSoCoThanhPhanSoHoa", "Hồ sơ có thành phần số hóa"),
        "result_attached": ("DinhKemKetQua", "Đính kèm kết quả"),
        "rating": ("DanhGia", "Mức độ hài lòng"),
        "complaint": ("PhanAnhKienNghi", "Có phản ánh"),
        "updated_at": ("NgayCapNhat", "Ngày cập nhật"),
        "applicant_name": ("ChuHoSo", "Chủ hồ sơ"),
        "applicant_id_number": ("SoGiayTo", "Số giấy tờ"),
        "applicant_phone": ("SoDienThoai", "Số điện thoại"),
        "applicant_address": ("DiaChi", "Địa chỉ"),
    },
    "procedures": {
        "procedure_code": ("MaTTHC", "Mã TTHC", "Mã thủ tục"),
        "procedure_name": ("TenTTHC", "Tên thủ tục", "Tên TTHC"),
        "field": ("LinhVuc", "Lĩnh vực"),
        "agency_code": ("CoQuanThucHien", "Cơ quan thực hiện"),
        "service_level": ("MucDo", "Mức độ"),
        "full_online_eligible": ("DuDieuKienToanTrinh", "Đủ điều kiện toàn trình"),
        "processing_days": ("ThoiHanGiaiQuyet", "Thời hạn giải quyết"),
        "declared_fields": ("SoTruongThongTin", "Số trường thông tin"),
        "declared_fields_baseline": ("SoTruongThongTinGoc", "Số trường thông tin gốc"),
    },
    "agencies": {
        "agency_code": ("MaDonVi", "Mã đơn vị"),
        "agency_name": ("TenDonVi", "Tên đơn vị"),
        "kind": ("LoaiDonVi", "Loại đơn vị", "Cấp"),
        "parent_code": ("MaDonViCha", "Mã đơn vị cha", "Đơn vị cha"),
        "admin_code": ("MaHanhChinh", "Mã hành chính", "Mã địa bàn"),
        "valid_from": ("NgayHieuLuc", "Ngày hiệu lực", "Hiệu lực từ"),
        "valid_to": ("NgayHetHieuLuc", "Ngày hết hiệu lực", "Hiệu lực đến"),
    },
    "unit_changes": {
        "agency_code": ("MaDonVi", "Mã đơn vị", "Đơn vị cũ", "Mã đơn vị cũ"),
        "successor_code": ("MaDonViKeThua", "Mã đơn vị kế thừa", "Đơn vị kế thừa", "Mã đơn vị mới"),
        "effective_date": ("NgayHieuLuc", "Ngày hiệu lực"),
    },
    "calendar": {
        "date": ("Ngay", "Ngày"),
        "is_working_day": ("LaNgayLamViec", "Ngày làm việc", "Làm việc"),
        "note": ("GhiChu", "Ghi chú"),
    },
    "targets": {
        "plan_id": ("MaKeHoach", "Kế hoạch"),
        "scope_code": ("MaDonVi", "Phạm vi", "Đơn vị"),
        "year": ("Nam", "Năm"),
        "kpi_code": ("MaChiTieu", "Chỉ tiêu"),
        "comparator": ("SoSanh", "Phép so sánh"),
        "target": ("MucTieu", "Mục tiêu"),
        "source": ("NguonVanBan", "Nguồn"),
    },
    "rankings": {
        "index_code": ("ChiSo", "Chỉ số", "MaChiSo", "Mã chỉ số"),
        "year": ("Nam", "Năm"),
        "scope_code": ("MaDonVi", "Đơn vị", "Phạm vi"),
        "score": ("Diem", "Điểm", "Điểm số", "Giá trị"),
        "rank": ("XepHang", "Xếp hạng", "Thứ hạng"),
        "provinces_ranked": ("SoTinhXepHang", "Số tỉnh được xếp hạng", "Số tỉnh xếp hạng", "Trên tổng số"),
        "basis": ("CoSo", "Cơ sở", "Số tỉnh thành"),
        "source": ("NguonVanBan", "Nguồn", "Đơn vị công bố"),
    },
}


def canonical_columns(kind: str) -> tuple[str, ...]:
    """The canonical columns of one input kind, in docs/spec order."""
    return tuple(ALIASES[kind])


def header_key(header: str) -> str:
    """Match key of a header: NFC, case-, space-, underscore- and diacritic-insensitive (docs/spec §2)."""
    text = unicodedata.normalize("NFC", str(header)).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in bare.casefold() if not ch.isspace() and ch != "_" and ch != "\ufeff")


def _alias_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in ALIASES[kind].items():
        for name in (canonical, *aliases):
            index.setdefault(header_key(name), canonical)
    return index


_INDEX = {kind: _alias_index(kind) for kind in ALIASES}


@dataclass(frozen=True)
class HeaderMap:
    """How one file's headers map onto the canonical columns of its kind."""

    headers: tuple[str, ...]  # the file's own headers, made unique ("X", "X (2)")
    positions: dict[str, int]  # canonical column -> position in the file
    unknown: tuple[str, ...]  # headers that match no canonical column (reported, not errors)
    repeated: tuple[str, ...]  # headers that map to a column an earlier header already took
    # positions of the export's own row-number columns (STT, TT, Số thứ tự): not data, not unknown
    row_numbers: tuple[int, ...] = ()


def map_headers(kind: str, headers: list[str]) -> HeaderMap:
    """Map a file's headers to canonical columns; the first header that matches a column wins."""
    index = _INDEX[kind]
    positions: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    row_numbers: list[int] = []
    for position, header in enumerate(headers):
        key = header_key(header)
        canonical = index.get(key)
        if canonical is None and key in _ROW_NUMBER_KEYS:
            row_numbers.append(position)
        elif canonical is None:
            if str(header).strip():
                unknown.append(str(header))
        elif canonical in positions:
            repeated.append(str(header))
        else:
            positions[canonical] = position
    return HeaderMap(
        tuple(unique_headers(headers)), positions, tuple(unknown), tuple(repeated), tuple(row_numbers)
    )


# The export's own row number (docs/spec §2.0): recognised and ignored.
ROW_NUMBER_HEADERS = ("STT", "TT", "Số thứ tự")
_ROW_NUMBER_KEYS = frozenset(header_key(name) for name in ROW_NUMBER_HEADERS)
# How many of a kind's columns a row must name to be its header row (docs/spec §2.0), and among
# how many rows at the top of a file or sheet the header row is searched for.
HEADER_SEARCH_ROWS = 30
_HEADER_MATCHES = {"calendar": 2, "unit_changes": 2}


def header_row(kind: str | None, rows: list[list[str]]) -> int | None:
    """The index of the header row among ``rows`` (a file's or sheet's first rows): the first of
    the first HEADER_SEARCH_ROWS in which at least three cells (two for calendar and
    unit_changes) name columns of ``kind``, matched as map_headers does; None if there is none.
    A file of no known kind has its header in its first row."""
    if kind is None or kind not in _INDEX:
        return 0 if rows else None
    needed = _HEADER_MATCHES.get(kind, 3)
    index = _INDEX[kind]
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        named = {index.get(header_key(cell)) for cell in row if cell}
        named.discard(None)
        if len(named) >= needed:
            return number
    return None


def unique_headers(headers: list[str]) -> list[str]:
    """Headers as JSON keys for quarantine rows: blanks named by position, repeats numbered."""
    seen: dict[str, int] = {}
    out = []
    for position, header in enumerate(headers):
        name = str(header).strip() or f"column_{position + 1}"
        count = seen.get(name, 0) + 1
        seen[name] = count
        out.append(name if count == 1 else f"{name} ({count})")
    return out


def kind_of_file(file_name: str) -> str | None:
    """The input kind of a file, from its name prefix and extension; None if it is not an input."""
    lower = file_name.lower()
    if not lower.endswith(EXTENSIONS) or lower.startswith((".", "~$")):
        return None
    for kind in KINDS:
        if lower.startswith(kind):
            return kind
    return None
