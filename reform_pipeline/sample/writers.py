"""Writing nightly exports in the four shapes of docs/spec §2, and the reference files.

* ``system``: the one-stop system's own CSV export: PascalCase headers, comma-separated,
  ISO timestamps (some nights with a ``T``), numeric codes, flags 0/1; some nights attach result
  links instead of ``1``.
* ``report``: a report saved from the system in Vietnamese: UTF-8 with BOM, semicolons, an
  ``STT`` row-number column (an extra column the pipeline must report and ignore), Vietnamese
  headers, ``dd/mm/yyyy HH:MM`` dates (some nights with one-digit day and month), the due date as
  a date only, codes mostly in their Vietnamese text forms, flags as ``Có``/``Không``, and zero
  fees, payments and supplement counts left empty (docs/spec §2.1 defaults them).
* ``xlsx``: the old system's report workbook: real date cells, numeric codes (status as text),
  and no ``Ngày cập nhật`` column, so its versions are ordered by file and row alone.
* ``parquet``: typed columns under the canonical names, zstd-compressed.

Each writer takes the export's valid rows (typed, canonical columns), its planted bad rows and
where they go, and writes rows in that order. Output is byte-for-byte reproducible: workbooks get
fixed document and zip timestamps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .badrows import Planted
from .procedures import Procedure
from .simulate import COLUMNS, TIMESTAMP_COLUMNS
from .units import Unit

SYSTEM_HEADERS = dict(zip(COLUMNS, [
    "MaHoSo", "MaTTHC", "MaDonVi", "KenhThucHien", "MucDo", "TrangThaiHoSoId", "NgayNopHoSo",
    "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayYeuCauBoSung",
    "NgayCongDanBoSung", "SoLanBoSung", "PhiLePhi", "DuocThanhToanTrucTuyen",
    "HoSoCoThanhPhanSoHoa", "DinhKemKetQua", "DanhGia", "PhanAnhKienNghi", "NgayCapNhat",
    "ChuHoSo", "SoGiayTo", "SoDienThoai", "DiaChi"]))
# Vietnamese report headers: the contract's Vietnamese aliases where it lists one, else the
# Vietnamese words of the system name (they match it space- and diacritic-insensitively).
REPORT_HEADERS = dict(zip(COLUMNS, [
    "Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh thực hiện", "Mức độ", "Trạng thái", "Ngày nộp",
    "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý", "Ngày trả kết quả",
    "Ngày yêu cầu bổ sung", "Ngày công dân bổ sung", "Số lần bổ sung", "Phí lệ phí",
    "Được thanh toán trực tuyến", "Hồ sơ có thành phần số hóa", "Đính kèm kết quả",
    "Mức độ hài lòng", "Có phản ánh", "Ngày cập nhật", "Chủ hồ sơ", "Số giấy tờ",
    "Số điện thoại", "Địa chỉ"]))
CODE_TEXT = {
    "channel": {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"},
    "service_level": {2: "Không", 3: "Một phần", 4: "Toàn trình"},
    "status": {1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
               5: "Yêu cầu bổ sung", 6: "Chờ thực hiện nghĩa vụ tài chính", 7: "Rút hồ sơ",
               8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả"},
    "rating": {4: "Rất hài lòng", 3: "Hài lòng", 2: "Bình thường", 1: "Không hài lòng"},
}
FLAGS = ["digitized_components", "result_attached", "complaint"]
BLANK_ZEROS = ["fee_amount", "paid_online", "supplement_count"]
XLSX_COLUMNS = [c for c in COLUMNS if c != "updated_at"]
FORMAT_EXTENSION = {"system": "csv", "report": "csv", "xlsx": "xlsx", "parquet": "parquet"}


@dataclass(frozen=True)
class Style:
    """How one night's export writes its values; drawn per export."""

    kind: str
    t_separator: bool = False
    short_dates: bool = False
    text_codes: frozenset = frozenset()
    links: bool = False

    @classmethod
    def draw(cls, kind: str, rng: np.random.Generator) -> "Style":
        draws = rng.random(3 + len(CODE_TEXT))
        return cls(kind=kind, t_separator=bool(draws[0] < 0.2), short_dates=bool(draws[1] < 0.3),
                   links=bool(draws[2] < 0.25),
                   text_codes=frozenset(c for c, d in zip(CODE_TEXT, draws[3:]) if d < 0.85))

    @property
    def text_format(self) -> str | None:
        """How the planted bad rows must write dates: ``iso``, ``dmy``, or None (typed)."""
        return {"system": "iso", "report": "dmy", "xlsx": "dmy"}.get(self.kind)


def write_export(path: Path, rows: pa.Table, planted: Planted, style: Style, night: dt.date,
                 compact: bool = False) -> None:
    """Write one export: the valid ``rows`` with the planted bad rows at their positions.

    ``compact`` trades speed for size where it matters (the committed sample): Parquet is then
    compressed at zstd level 12 instead of 3, about 10% smaller and five times slower.
    """
    bad = pa.Table.from_pylist(planted.rows, schema=rows.schema) if planted.rows else rows.slice(0, 0)
    order = _order(rows.num_rows, planted.positions)
    if style.kind == "parquet":
        _write_parquet(path, pa.concat_tables([rows, bad]).take(order), 12 if compact else 3)
    elif style.kind == "xlsx":
        _write_xlsx(path, pa.concat_tables([rows, bad]).take(order), _by_position(planted), night)
    else:
        _write_csv(path, rows, bad, planted, order, style)


def _order(valid: int, positions: np.ndarray) -> pa.Array:
    """Indices into valid rows followed by bad rows, giving the bad rows their positions."""
    total = valid + len(positions)
    is_bad = np.zeros(total, dtype=bool)
    is_bad[positions] = True
    order = np.empty(total, dtype=np.int64)
    order[~is_bad] = np.arange(valid)
    order[is_bad] = valid + np.arange(len(positions))
    return pa.array(order)


def _by_position(planted: Planted) -> dict[int, dict[str, str]]:
    """Text replacements by final row position."""
    return {int(pos): planted.text[j] for j, pos in enumerate(planted.positions) if planted.text[j]}


# ---------------------------------------------------------------- Parquet


# Columns with few distinct values; dictionaries on the others cost more than they save.
DICTIONARY_COLUMNS = ["procedure_code", "agency_code", "channel", "service_level", "status",
                      "supplement_count", "fee_amount", "paid_online", "rating"]


def _write_parquet(path: Path, table: pa.Table, level: int) -> None:
    """Typed columns, zstd; no column statistics nor Arrow schema blob, which in a night's small
    file would outweigh its data."""
    pq.write_table(table, path, compression="zstd", compression_level=level, row_group_size=1 << 20,
                   use_dictionary=DICTIONARY_COLUMNS, write_statistics=False, store_schema=False)


# ---------------------------------------------------------------- CSV


def _render(table: pa.Table, style: Style) -> dict[str, pa.Array]:
    """Every column as text in the style of the export (nulls as empty text)."""
    out = {}
    for column in COLUMNS:
        values = table.column(column).combine_chunks()
        if column in TIMESTAMP_COLUMNS:
            out[column] = _timestamps(values, style, date_only=style.kind == "report" and column == "due_at")
        elif column in CODE_TEXT and column in style.text_codes and style.kind == "report":
            out[column] = _code_text(values, CODE_TEXT[column])
        elif column in FLAGS:
            out[column] = _flags(values, table, style, column)
        elif column in BLANK_ZEROS and style.kind == "report":
            out[column] = pc.if_else(pc.equal(values, 0), pa.scalar(None, pa.string()), values.cast(pa.string()))
        else:
            out[column] = values.cast(pa.string())
        out[column] = pc.fill_null(out[column], "")
    return out


def _timestamps(values: pa.Array, style: Style, date_only: bool) -> pa.Array:
    if style.kind == "system":
        return pc.strftime(values, "%Y-%m-%dT%H:%M:%S" if style.t_separator else "%Y-%m-%d %H:%M:%S")
    text = pc.strftime(values, "%d/%m/%Y" if date_only else "%d/%m/%Y %H:%M")
    if style.short_dates:
        text = pc.replace_substring_regex(text, r"^0?(\d{1,2})/0?(\d{1,2})/", r"\1/\2/")
    return text


def _code_text(values: pa.Array, texts: dict[int, str]) -> pa.Array:
    """Vietnamese text of known codes; anything else stays a number."""
    known = pc.is_in(values, pa.array(list(texts), values.type))
    lookup = pa.array([texts.get(i, "") for i in range(max(texts) + 1)])
    index = pc.if_else(known, values, pa.scalar(0, values.type)).cast(pa.int32())
    return pc.if_else(known, lookup.take(index), values.cast(pa.string()))


def _flags(values: pa.Array, table: pa.Table, style: Style, column: str) -> pa.Array:
    if style.kind == "report":
        return pc.if_else(values, "Có", "Không")
    if column == "result_attached" and style.links:
        link = pc.binary_join_element_wise("/files/ketqua/", table.column("dossier_id").combine_chunks(),
                                           ".pdf", "")
        return pc.if_else(values, link, "0")
    return pc.if_else(values, "1", "0")


def _quoted(values: pa.Array, delimiter: str) -> pa.Array:
    """CSV quoting where a value needs it."""
    needs = pc.match_substring_regex(values, f'["{re.escape(delimiter)}\\r\\n]')
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, escaped, values)


def _write_csv(path: Path, rows: pa.Table, bad: pa.Table, planted: Planted, order: pa.Array,
               style: Style) -> None:
    report = style.kind == "report"
    delimiter = ";" if report else ","
    valid_text = _render(rows, style)
    bad_text = _render(bad, style)
    for j, replacements in enumerate(planted.text):
        for column, text in replacements.items():
            column_values = bad_text[column].to_pylist()
            column_values[j] = text
            bad_text[column] = pa.array(column_values, pa.string())
    headers = REPORT_HEADERS if report else SYSTEM_HEADERS
    fields = [_quoted(pa.concat_arrays([valid_text[c], bad_text[c]]).take(order), delimiter)
              for c in COLUMNS]
    names = [headers[c] for c in COLUMNS]
    if report:
        fields.insert(0, pa.array(np.arange(1, len(order) + 1)).cast(pa.string()))
        names.insert(0, "STT")
    lines = pc.binary_join_element_wise(*fields, delimiter)
    body = pc.binary_join(pa.LargeListArray.from_arrays([0, len(lines)], lines.cast(pa.large_string())),
                          pa.scalar("\n", pa.large_string()))
    header = delimiter.join(names)
    text = header + "\n" + (body[0].as_py() + "\n" if len(lines) else "")
    path.write_bytes(("\ufeff" if report else "").encode() + text.encode("utf-8"))


# ---------------------------------------------------------------- xlsx


def _write_xlsx(path: Path, table: pa.Table, text: dict[int, dict[str, str]], night: dt.date) -> None:
    """A report workbook: date cells, numbers for codes, status in words, bad text as text cells."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách hồ sơ")
    sheet.append(["STT"] + [REPORT_HEADERS[c] for c in XLSX_COLUMNS])
    columns = {c: table.column(c).to_pylist() for c in XLSX_COLUMNS}
    columns["status"] = [CODE_TEXT["status"].get(v, v) for v in columns["status"]]
    columns["due_at"] = [v.date() if v is not None else None for v in columns["due_at"]]
    for flag in FLAGS:
        columns[flag] = [int(v) for v in columns[flag]]
    for i in range(table.num_rows):
        values = [i + 1] + [columns[c][i] for c in XLSX_COLUMNS]
        for column, replacement in text.get(i, {}).items():
            values[1 + XLSX_COLUMNS.index(column)] = replacement
        sheet.append(values)
    stamp = dt.datetime.combine(night, dt.time(23, 30))
    workbook.properties.created = stamp
    workbook.properties.creator = "Hệ thống thông tin giải quyết TTHC"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue(), stamp))


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook with the save time and every zip entry time set to ``stamp``."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + iso.encode(), content)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content, compresslevel=9)
    return out.getvalue()


# ---------------------------------------------------------------- reference files


def _write_rows(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def write_agencies(path: Path, tree: list[Unit]) -> None:
    """agencies.csv under the canonical names of docs/spec §2.3, with each unit's life."""
    _write_rows(path, ["agency_code", "agency_name", "kind", "parent_code", "admin_code", "valid_from",
                       "valid_to"],
                [[u.code, u.name, u.kind, u.parent, u.admin_code, _iso(u.valid_from), _iso(u.valid_to)]
                 for u in tree])


def write_unit_changes(path: Path, changes: list[tuple[str, str, dt.date]]) -> None:
    """unit_changes.csv (docs/spec §2.6): who took over each ended unit, from which day."""
    _write_rows(path, ["agency_code", "successor_code", "effective_date"],
                [[code, successor, day.isoformat()] for code, successor, day in changes])


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def write_procedures(path: Path, catalogue: list[Procedure]) -> None:
    """procedures.csv under the system's alias headers of docs/spec §2.2."""
    _write_rows(path, ["MaTTHC", "TenTTHC", "LinhVuc", "CoQuanThucHien", "MucDo",
                       "DuDieuKienToanTrinh", "ThoiHanGiaiQuyet", "SoTruongThongTin",
                       "SoTruongThongTinGoc"],
                [[p.code, p.name, p.field, p.agency_code, p.service_level, int(p.full_online_eligible),
                  p.processing_days, p.declared_fields, p.declared_fields_baseline] for p in catalogue])


def write_targets(path: Path, tree: list[Unit]) -> None:
    """targets.csv: the two plans of docs/spec §1/§2.5, scoped to the showcase district and the
    root, and the 2025 plan's cut of internal units (giảm đầu mối: at least 15%)."""
    district = next(u.code for u in tree if u.kind == "district")
    root = tree[0].code
    city = "Kế hoạch cải cách hành chính năm 2023 của UBND thành phố Nha Trang"
    province = "Kế hoạch cải cách hành chính năm 2025 của UBND tỉnh Khánh Hòa"
    rows = [
        ["KH-CCHC-2023-NhaTrang", district, 2023, "satisfaction_rate", ">", 0.84, city],
        ["KH-CCHC-2023-NhaTrang", district, 2023, "full_online_procedure_rate", ">=", 1, city],
        ["KH-CCHC-2023-NhaTrang", district, 2023, "online_payment_rate", ">=", 0.30, city],
        ["KH-CCHC-2025-KhanhHoa", root, 2025, "satisfaction_rate", ">", 0.90, province],
        ["KH-CCHC-2025-KhanhHoa", root, 2025, "online_payment_rate", ">", 0.70, province],
        ["KH-CCHC-2025-KhanhHoa", root, 2025, "declared_info_reduction", ">=", 0.20, province],
        ["KH-CCHC-2025-KhanhHoa", root, 2025, "internal_units_reduction", ">=", 0.15, province],
        # "PAR Index, PCI, PAPI and DTI in the national top 25" (docs/spec §2.7)
        *[["KH-CCHC-2025-KhanhHoa", root, 2025, code, "<=", 25, province]
          for code in ("rank_par", "rank_pci", "rank_papi", "rank_dti")],
    ]
    _write_rows(path, ["plan_id", "scope_code", "year", "kpi_code", "comparator", "target", "source"], rows)


# Khánh Hòa's published national rankings (docs/spec §2.7): index, year, score, rank, provinces
# ranked, basis, publisher. PCI 2023's rank was not published (outside the top 30): empty.
KHANH_HOA_RANKINGS = [
    ("PAR", 2024, "90.49", 10, 63, 63, "Bộ Nội vụ, Chỉ số cải cách hành chính năm 2024 (PAR Index 2024)"),
    ("PAPI", 2023, "44.94", 8, 61, 63, "UNDP và các đối tác, Báo cáo PAPI 2023"),
    ("DTI", 2024, "0.7071", 16, 34, 34, "Bộ Khoa học và Công nghệ, Chỉ số chuyển đổi số cấp tỉnh năm 2024 (DTI 2024)"),
    ("DTI", 2022, "", 41, 63, 63, "Bộ Thông tin và Truyền thông, Chỉ số chuyển đổi số cấp tỉnh năm 2022 (DTI 2022)"),
    ("SIPAS", 2024, "", 30, 63, 63, "Bộ Nội vụ, Chỉ số hài lòng về sự phục vụ hành chính năm 2024 (SIPAS 2024)"),
    ("PCI", 2023, "67.65", None, None, 63, "Liên đoàn Thương mại và Công nghiệp Việt Nam (VCCI), Báo cáo PCI 2023"),
]


def write_rankings(path: Path, tree: list[Unit]) -> None:
    """rankings.csv (docs/spec §2.7): Khánh Hòa's published national rankings, for the root. The
    plan's 2025 rank targets stay no_data until 2025's indices are added here."""
    root = tree[0].code
    _write_rows(
        path, ["index_code", "year", "scope_code", "score", "rank", "provinces_ranked", "basis", "source"],
        [[index, year, root, score, rank, ranked, basis, source]
         for index, year, score, rank, ranked, basis, source in KHANH_HOA_RANKINGS],
    )


def write_calendar(path: Path) -> None:
    """calendar.csv (docs/spec §2.4), the province's own overrides: none. The government's
    decisions the ``holidays`` package does not know (the 2026 New Year swap) are built into the
    pipeline, and a province cannot move a working day by itself; the file stays, header only,
    as the place where an override would go."""
    _write_rows(path, ["date", "is_working_day", "note"], [])


def extension(kind: str) -> str:
    return FORMAT_EXTENSION[kind]

