"""The downloads next to the scorecard page (docs/spec §5, "The scorecard page"; docs/bi.md,
"Downloads"): the plan scorecard and the unit table as CSV, and both in one Excel workbook.

- ``scorecard.csv``: every row of ``score.scorecard`` (``mart.scorecard``) with its KPI's labels
  from the metric catalogue beside the code, its status and its tree in Vietnamese and English.
- ``units.csv``: the unit table of publish/unit_table.py (today's units, year to date, with the
  766 score and its covered maximum).
- ``scorecard.xlsx``: a sheet for each, and a sheet "Giới thiệu - README" with the as-of date,
  the build time with its time zone, the source and every column's meaning.

The CSV files are UTF-8 with a byte-order mark (so that Excel reads Vietnamese right), comma
separated, one header row "Vietnamese / English", numbers written with a decimal point and no
thousands separator. Rates are fractions, as in the BI file, each followed by a column "(%)"
with the percentage rounded to 2 decimals. In the workbook every number is a number cell in the
format of its kind (percentages, thousands separators, dates); the header row is frozen, bold,
filtered, and the columns are as wide as their contents. A number cell keeps 16 significant
digits (XlsxWriter writes them so; Excel computes with 15).

Formula-like text: a text cell that begins with ``=``, ``+``, ``-`` or ``@`` (also their
full-width forms, or after leading spaces), or with a tab or carriage return, could be run by a
spreadsheet as a formula. In the CSV files it is written behind a single quote ``'``; in the
workbook every text is a string cell (never a formula cell), with the quote-prefix style on the
formula-like ones so that editing the cell keeps it text. Numbers stay numbers: a rate of −0.05
is the number −0.05, never text.

The three files are written beside their final names and then renamed over them
(``os.replace``): a reader never sees a half-written file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reform_pipeline.ops import VIETNAM_TIMEZONE
from reform_pipeline.publish.report_format import STATUS_LABELS, TREE_LABELS
from reform_pipeline.publish.unit_table import (
    COUNT,
    DATE,
    POINTS,
    RATE,
    TEXT,
    WORKING_DAYS,
    Column,
    unit_table,
    unit_table_columns,
)

SCORECARD_CSV = "scorecard.csv"
UNITS_CSV = "units.csv"
WORKBOOK = "scorecard.xlsx"
DOWNLOADS = (SCORECARD_CSV, UNITS_CSV, WORKBOOK)

SCORECARD_SHEET = "Bảng điểm - Scorecard"
UNITS_SHEET = "Đơn vị - Units"
ABOUT_SHEET = "Giới thiệu - README"

# Two more kinds for the scorecard: a whole number shown without a separator (a year), and a
# target or value in the unit of its row's KPI (a rate, a count, working days or a rank).
INTEGER = "integer"
KPI_VALUE = "kpi_value"
RANK = "rank"

# ---------------------------------------------------------------------------------------------
# Formula-like text

FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CONTROL_STARTS = ("\t", "\r")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula: it begins with = + - @ (or their
    full-width forms), possibly after spaces, or with a tab or carriage return."""
    return text.startswith(CONTROL_STARTS) or text.lstrip(" \u00a0\u3000\n").startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """A text cell for a CSV file: formula-like text behind a single quote, the rest as it is."""
    return "'" + text if formula_like(text) else text


# ---------------------------------------------------------------------------------------------
# The tables


@dataclass(frozen=True)
class Table:
    sheet: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    frozen_columns: int = 0  # the columns kept in view beside the frozen header row


# Every row of score.scorecard with its KPI's labels and kind: a metric code's from the metric
# catalogue, a rank target's from the rankings catalogue (docs/spec §2.7); a code in neither is
# shown by its code, as a rate. One small query, kept beside the columns it fills.
SCORECARD_QUERY = """
SELECT
    s.plan_id, s.year, s.scope_code, s.scope_name, s.kpi_code,
    coalesce(m.label_vi, 'Xếp hạng ' || r.label_vi, s.kpi_code) AS kpi_label_vi,
    coalesce(m.label_en, 'Rank in the ' || r.label_en, s.kpi_code) AS kpi_label_en,
    coalesce(m.kind, CASE WHEN r.target_code IS NOT NULL THEN 'rank' END, 'rate') AS kpi_kind,
    s.comparator, s.target, s.value, s.numerator, s.denominator, s.status, s.tree,
    s.value_source, s.source, s.as_of
FROM score.scorecard AS s
LEFT JOIN meta.metric_catalogue AS m ON m.metric_code = s.kpi_code
LEFT JOIN meta.ranking_indices AS r ON r.target_code = s.kpi_code
ORDER BY s.year DESC, s.plan_id, s.scope_code,
         coalesce(m.display_order, 1000 + r.display_order), s.kpi_code
"""

VALUE_KIND_LABELS = {
    RATE: ("tỷ lệ", "rate"),
    COUNT: ("số lượng", "count"),
    WORKING_DAYS: ("ngày làm việc", "working days"),
    RANK: ("thứ hạng", "rank"),
}

SCORECARD_COLUMNS = [
    Column("plan_id", "Kế hoạch", "Plan", TEXT),
    Column("year", "Năm", "Year", INTEGER),
    Column("scope_code", "Mã đơn vị", "Unit code", TEXT),
    Column("scope_name", "Đơn vị", "Unit", TEXT),
    Column("kpi_code", "Mã chỉ tiêu", "KPI code", TEXT),
    Column("kpi_label_vi", "Chỉ tiêu (tiếng Việt)", "KPI (Vietnamese)", TEXT),
    Column("kpi_label_en", "Chỉ tiêu (tiếng Anh)", "KPI (English)", TEXT),
    Column("kpi_kind_label", "Loại giá trị", "Value kind", TEXT,
           "tỷ lệ: phân số, 0,84 là 84 %; số lượng; ngày làm việc; thứ hạng",
           "rate: a fraction, 0.84 is 84 %; count; working days; rank"),
    Column("comparator", "So sánh", "Comparator", TEXT),
    Column("target", "Mục tiêu", "Target", KPI_VALUE),
    Column("value", "Thực hiện", "Value", KPI_VALUE,
           "Giá trị năm của đơn vị đến ngày số liệu, trên cây đơn vị ở cột Cây đơn vị",
           "The unit's year to the as-of date, on the tree of the Tree column"),
    Column("numerator", "Tử số", "Numerator", COUNT),
    Column("denominator", "Mẫu số", "Denominator", COUNT),
    Column("status", "Mã đánh giá", "Status code", TEXT),
    Column("status_vi", "Đánh giá (tiếng Việt)", "Status (Vietnamese)", TEXT),
    Column("status_en", "Đánh giá (tiếng Anh)", "Status (English)", TEXT),
    Column("tree", "Mã cây đơn vị", "Tree code", TEXT,
           "current: cây đơn vị hiện nay; as_was: cây đơn vị tại thời điểm tiếp nhận; trống: thứ hạng",
           "current: today's units; as_was: the tree as it was; empty: a rank"),
    Column("tree_vi", "Cây đơn vị (tiếng Việt)", "Tree (Vietnamese)", TEXT),
    Column("tree_en", "Cây đơn vị (tiếng Anh)", "Tree (English)", TEXT),
    Column("value_source", "Nguồn số liệu (xếp hạng)", "Value source (rank publisher)", TEXT),
    Column("source", "Căn cứ chỉ tiêu", "Where the target is stated", TEXT),
    Column("as_of", "Số liệu đến ngày", "Data as of", DATE),
]


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def scorecard_table(con: duckdb.DuckDBPyConnection) -> Table:
    """Every row of score.scorecard, latest year first, with the labels beside the codes."""
    cursor = con.execute(SCORECARD_QUERY)
    names = [column[0] for column in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = {name: _plain(value) for name, value in zip(names, values)}
        status = STATUS_LABELS.get(row["status"], (row["status"], row["status"]))
        tree = TREE_LABELS.get(row["tree"], (row["tree"], row["tree"])) if row["tree"] else (None, None)
        kind = VALUE_KIND_LABELS.get(row["kpi_kind"], (row["kpi_kind"], row["kpi_kind"]))
        row.update(status_vi=status[0], status_en=status[1], tree_vi=tree[0], tree_en=tree[1],
                   kpi_kind_label=f"{kind[0]} / {kind[1]}")
        rows.append(row)
    return Table(SCORECARD_SHEET, SCORECARD_COLUMNS, rows, frozen_columns=1)


def units_table(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> Table:
    """The unit table (publish/unit_table.py)."""
    return Table(UNITS_SHEET, unit_table_columns(con), unit_table(con, as_of), frozen_columns=2)


def _value_kind(column: Column, row: dict[str, Any]) -> str:
    return (row.get("kpi_kind") or RATE) if column.kind == KPI_VALUE else column.kind


# ---------------------------------------------------------------------------------------------
# CSV


def _csv_number(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return _csv_number(_plain(value))
    return csv_text(str(value))


def _percent(value: Any) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: UTF-8 with BOM, CRLF, one header row; after each rate column (and each
    target or value) a "(%)" column with the percentage of a rate rounded to 2 decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = []
    for column in table.columns:
        header.append(column.header)
        if column.kind in (RATE, KPI_VALUE):
            header.append(f"{column.label_vi} (%) / {column.label_en} (%)")
    writer.writerow(csv_text(text) for text in header)
    for row in table.rows:
        cells = []
        for column in table.columns:
            value = row.get(column.key)
            cells.append(_csv_cell(value))
            if column.kind in (RATE, KPI_VALUE):
                cells.append(_csv_cell(_percent(value) if _value_kind(column, row) == RATE else None))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The workbook

NUMBER_FORMATS = {
    COUNT: "#,##0",
    RATE: "0.00%",
    WORKING_DAYS: "0.00",
    POINTS: "0.00",
    DATE: "yyyy-mm-dd",
    INTEGER: "0",
    RANK: "0",
}
# Characters XML 1.0 cannot hold (control characters but tab, line feed and carriage return):
# removed from text cells, which would otherwise make a workbook Excel refuses to open.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HEADER_STYLE = {"bold": True, "bg_color": "#D9E1F2", "pattern": 1, "text_wrap": True, "valign": "top"}
TOP_STYLE = {"text_wrap": True, "valign": "top"}
MAX_WIDTH = 60
LINE_HEIGHT = 15  # points, one line of the default 11-point font
AUTHOR = "reform_pipeline"  # of the header comments and of the workbook


class _Formats:
    """The workbook's cell formats, each made once (XlsxWriter stores one per distinct format)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self._workbook = workbook
        self._made: dict[tuple, Any] = {}

    def get(self, *, kind: str | None = None, top: bool = False, quote: bool = False, header: bool = False,
            bold: bool = False):
        kind = kind if kind in NUMBER_FORMATS else None  # only the number kinds have a format
        key = (kind, top, quote, header, bold)
        if key not in self._made:
            properties: dict[str, Any] = {}
            if header:
                properties.update(HEADER_STYLE)
            if bold:
                properties["bold"] = True
            if top:
                properties.update(TOP_STYLE)
            if quote:
                properties["quote_prefix"] = True
            if kind is not None:
                properties["num_format"] = NUMBER_FORMATS[kind]
            self._made[key] = self._workbook.add_format(properties) if properties else None
        return self._made[key]


def _put(ws: Worksheet, formats: _Formats, row: int, column: int, value: Any, kind: str = TEXT, *,
         top: bool = False, header: bool = False, bold: bool = False) -> None:
    """One cell (``row`` and ``column`` from 0): text always as a string cell, never a formula;
    numbers as numbers in the format of their kind."""
    if value is None:
        style = formats.get(kind=kind, top=top, header=header, bold=bold)
        if style is not None:  # a number typed in later looks like its column
            ws.write_blank(row, column, None, style)
        return
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        ws.write_string(row, column, text,
                        formats.get(top=top, header=header, bold=bold, quote=formula_like(text)))
        return
    style = formats.get(kind=kind, top=top, header=header, bold=bold)
    value = _plain(value)
    if isinstance(value, bool):
        ws.write_boolean(row, column, value, style)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, column, value, style)
    else:
        ws.write_number(row, column, value, style)


def _shown(value: Any, kind: str) -> str:
    """Roughly how Excel shows a value, to size its column."""
    if value is None:
        return ""
    if isinstance(value, str):
        return max(value.splitlines() or [""], key=len)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    number = float(value)
    if kind == COUNT:
        return f"{number:,.0f}"
    if kind == RATE:
        return f"{number * 100:.2f}%"
    if kind in (INTEGER, RANK):
        return f"{number:.0f}"
    return f"{number:.2f}"


def _header_width(header: str) -> int:
    longest_word = max((len(word) for word in header.split()), default=0)
    return max(longest_word, math.ceil(len(header) / 3))


def _write_table(ws: Worksheet, formats: _Formats, table: Table) -> None:
    widths = []
    for index, column in enumerate(table.columns):
        _put(ws, formats, 0, index, column.header, header=True)
        note = "\n".join(part for part in (column.note_vi, column.note_en) if part)
        if note:
            ws.write_comment(0, index, note, {"author": AUTHOR, "width": 320, "height": 110})
        shown = [_shown(row.get(column.key), _value_kind(column, row)) for row in table.rows]
        data_width = max((len(text) for text in shown), default=0)
        widths.append(min(max(data_width, _header_width(column.header), 6) + 2, MAX_WIDTH))
        ws.set_column(index, index, widths[-1])
    for row_number, row in enumerate(table.rows, start=1):
        for index, column in enumerate(table.columns):
            _put(ws, formats, row_number, index, row.get(column.key), _value_kind(column, row),
                 top=column.kind == TEXT)
    header_lines = max(
        (len(textwrap.wrap(column.header, max(width - 2, 1))) for column, width in zip(table.columns, widths)),
        default=1,
    )
    ws.set_row(0, LINE_HEIGHT * max(header_lines, 1))
    ws.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
    ws.freeze_panes(1, table.frozen_columns)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


@dataclass(frozen=True)
class About:
    """What the README sheet says about the build."""

    as_of: dt.date
    built_at: dt.datetime
    province: str | None
    bi_name: str | None


def _about_rows(about: About) -> list[tuple[str, Any, str]]:
    """(label, value, number kind) lines of the README sheet."""
    built = about.built_at.isoformat(sep=" ")
    zone = getattr(about.built_at.tzinfo, "key", None) or about.built_at.tzname() or ""
    bi = about.bi_name or "tệp BI / the BI file"
    return [
        ("Bảng điểm CCHC — tệp tải về / Administrative-reform scorecard — downloads", None, TEXT),
        ("Tỉnh / Province", about.province, TEXT),
        ("Số liệu đến ngày / Data as of", about.as_of, DATE),
        ("Thời điểm tạo / Built at", f"{built} ({zone})" if zone else built, TEXT),
        ("Nguồn / Source",
         f"reform_pipeline: cùng số liệu với {bi} (mart.scorecard, mart.unit_metrics_current, "
         "mart.index_766, mart.units, mart.metric_catalogue), từ các tệp xuất của hệ thống một cửa "
         f"/ the same figures as {bi}, from the one-stop systems' exports", TEXT),
        (SCORECARD_SHEET,
         "Mọi chỉ tiêu kế hoạch với giá trị năm đến ngày số liệu và đánh giá / every plan target "
         "with its year-to-date value and status", TEXT),
        (UNITS_SHEET,
         "Mọi đơn vị đang hoạt động tại ngày số liệu (cây đơn vị hiện nay): chỉ tiêu chính từ đầu "
         "năm và điểm 766 bên cạnh điểm tối đa được đo / every unit alive at the as-of date "
         "(today's tree): key metrics year to date and the 766 score beside its covered maximum",
         TEXT),
        ("Cách đọc / How to read",
         "Tỷ lệ là số, hiển thị dạng phần trăm; chữ bắt đầu bằng = + - @ được ghi như chữ, không "
         "bao giờ là công thức / rates are numbers shown as percentages; text beginning with "
         "= + - @ is stored as text, never as a formula", TEXT),
        ("CSV",
         f"{SCORECARD_CSV}, {UNITS_CSV}: UTF-8 có BOM, dấu phẩy; tỷ lệ là phân số (0.84), cột "
         "(%) bên cạnh / UTF-8 with BOM, comma separated; rates as fractions (0.84) with a (%) "
         "column beside", TEXT),
    ]


def _write_about(ws: Worksheet, formats: _Formats, about: About, tables: Sequence[Table]) -> None:
    row = 0
    for label, value, kind in _about_rows(about):
        _put(ws, formats, row, 0, label, bold=True)
        _put(ws, formats, row, 1, value, kind, top=True)
        row += 1
    row += 1
    headers = ("Trang tính / Sheet", "Cột / Column", "Ghi chú / Note")
    for index, text in enumerate(headers):
        _put(ws, formats, row, index, text, header=True)
    for table in tables:
        for column in table.columns:
            row += 1
            note = " / ".join(part for part in (column.note_vi, column.note_en) if part)
            for index, text in enumerate((table.sheet, column.header, note)):
                _put(ws, formats, row, index, text or None, top=True)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 2, 70)


def workbook_bytes(tables: Sequence[Table], about: About) -> bytes:
    """The workbook: a sheet per table, then the README sheet."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {
        "in_memory": True,
        # text is written as text: never read as a number, a formula or a link
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        "default_date_format": NUMBER_FORMATS[DATE],
        "nan_inf_to_errors": True,
    })
    formats = _Formats(workbook)
    for table in tables:
        _write_table(workbook.add_worksheet(table.sheet), formats, table)
    _write_about(workbook.add_worksheet(ABOUT_SHEET), formats, about, tables)
    workbook.set_properties({"author": AUTHOR,
                             "title": "Bảng điểm CCHC / Administrative-reform scorecard"})
    workbook.close()
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Writing


PROVINCE_QUERY = (
    "SELECT agency_name FROM model.units WHERE parent_code IS NULL AND alive ORDER BY agency_code LIMIT 1"
)


def write_downloads(
    con: duckdb.DuckDBPyConnection,
    folder: str | os.PathLike[str],
    as_of: dt.date,
    *,
    bi_name: str | None = None,
    built_at: dt.datetime | None = None,
) -> list[Path]:
    """Write scorecard.csv, units.csv and scorecard.xlsx into ``folder`` (next to the page) and
    return their paths. Each is written to a temporary file in the same folder and renamed over
    its final name once all three are written; on an error none is replaced and no temporary
    file stays."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    scorecard = scorecard_table(con)
    units = units_table(con, as_of)
    province = con.execute(PROVINCE_QUERY).fetchone()
    about = About(
        as_of=as_of,
        built_at=built_at or dt.datetime.now(ZoneInfo(VIETNAM_TIMEZONE)).replace(microsecond=0),
        province=None if province is None else province[0],
        bi_name=bi_name,
    )
    contents: dict[str, Callable[[], bytes]] = {
        SCORECARD_CSV: lambda: csv_bytes(scorecard),
        UNITS_CSV: lambda: csv_bytes(units),
        WORKBOOK: lambda: workbook_bytes([scorecard, units], about),
    }
    temporary: dict[str, Path] = {}
    try:
        for name, content in contents.items():
            fd, temp_name = tempfile.mkstemp(dir=target, prefix=f".{name}.", suffix=".tmp")
            temporary[name] = Path(temp_name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content())
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, 0o644)  # mkstemp makes it private; the downloads are for everyone
        for name, temp in temporary.items():
            os.replace(temp, target / name)
    except BaseException:
        for temp in temporary.values():
            temp.unlink(missing_ok=True)
        raise
    return [target / name for name in contents]
