"""The downloads next to the scorecard page (docs/bi.md, "Downloads"; docs/spec §5, "The scorecard
page"): scorecard.csv, units.csv and scorecard.xlsx, written from a small warehouse built by the
real model and score code, read back with pandas, the csv module and openpyxl.

The province KH merged its district D1 (wards W1, W2) into the new ward NW on 2025-07-01; the
department DEP gained a second division on 2025-04-01 (so its internal_units_reduction is
negative). Four units alive today carry names a spreadsheet could take for a formula. As-of date
2025-09-30; 2024 dossiers are there so that the year to date has to be picked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from decimal import Decimal

import duckdb
import openpyxl
import pandas as pd
import pytest

from reform_pipeline.publish import downloads
from reform_pipeline.publish.downloads import (
    ABOUT_SHEET,
    SCORECARD_SHEET,
    UNITS_SHEET,
    csv_text,
    formula_like,
    write_downloads,
)
from reform_pipeline.publish.unit_table import unit_table, unit_table_columns
from reform_pipeline.score.build import build_index_766, build_scorecard
from reform_pipeline_tests.model.staging_tables import add_dossier, add_unit_change, build_model, new_warehouse

AS_OF = dt.date(2025, 9, 30)
JUNE_30, JULY_1 = "2025-06-30", "2025-07-01"
HYPERLINK = '=HYPERLINK("http://x","y")'
PLUS, MINUS, AT = "+84 Phường Cộng", "-Xã Trừ", "@Trung tâm"
PLANTED = {"HY": HYPERLINK, "PL": PLUS, "MI": MINUS, "AT": AT}
TREE = [
    ("KH", "Tỉnh Khánh Hòa", "province", None, None, None),
    ("DEP", "Sở Tư pháp", "department", "KH", None, None),
    ("E1", "Phòng Hộ tịch", "division", "DEP", None, None),
    ("E2", "Phòng Công chứng", "division", "DEP", "2025-04-01", None),
    ("D1", "Thành phố Nha Trang", "district", "KH", None, JUNE_30),
    ("W1", "Phường Lộc Thọ", "ward", "D1", None, JUNE_30),
    ("W2", "Phường Vĩnh Hải", "ward", "D1", None, JUNE_30),
    ("NW", "Phường Nha Trang", "ward", "KH", JULY_1, None),
    ("HY", HYPERLINK, "ward", "KH", None, None),
    ("PL", PLUS, "ward", "KH", None, None),
    ("MI", MINUS, "commune", "KH", None, None),
    ("AT", AT, "center", "KH", None, None),
]
ENDED = {"D1", "W1", "W2"}
# receiving unit -> dossiers received in (2024-11, 2025-03, 2025-05, 2025-08)
RECEIVED = {"W1": (2, 3, 2, 0), "W2": (1, 2, 1, 0), "NW": (0, 0, 0, 5), "DEP": (1, 2, 1, 2), "E1": (0, 1, 1, 1),
            "E2": (0, 0, 2, 1), "HY": (3, 2, 2, 2), "PL": (0, 1, 0, 1), "MI": (1, 0, 0, 0), "AT": (0, 2, 2, 2)}
MONTHS = ((2024, 11), (2025, 3), (2025, 5), (2025, 8))
TARGETS = [
    # plan, scope, year, kpi, comparator, target, source
    ("KH-2025", "KH", 2025, "online_rate", ">=", 0.5, "Kế hoạch 2025"),
    ("KH-2025", "KH", 2025, "dossiers_received", ">=", 10, "Kế hoạch 2025"),
    ("KH-2025", "KH", 2025, "processing_wd_avg", "<=", 5, "Kế hoạch 2025"),
    ("KH-2025", "DEP", 2025, "internal_units_reduction", ">=", 0.1, "Kế hoạch 2025"),
    ("KH-2025", "W1", 2025, "on_time_rate", ">", 0.9, "Kế hoạch 2025"),
    ("KH-2026", "KH", 2026, "online_rate", ">=", 0.6, "Kế hoạch 2026"),
    ("KH-2024", "KH", 2024, "rank_par", "<=", 25, "Kế hoạch 2024"),
    ("=1+2", "HY", 2025, "satisfaction_rate", ">", 0.9, '@SUM(A1:A9)'),
    ("KH-2025", "MI", 2025, "online_payment_rate", ">", 0.7, "\t=cmd|' /C calc'!A0"),
]
FILES = ["scorecard.csv", "scorecard.xlsx", "units.csv"]


def build_warehouse(path) -> duckdb.DuckDBPyConnection:
    con = new_warehouse(path, tree=TREE)
    for ended in ("W1", "W2"):
        add_unit_change(con, ended, "NW", JULY_1)
    for unit, counts in RECEIVED.items():
        for (year, month), count in zip(MONTHS, counts):
            for n in range(count):
                online = n % 2 == 0
                add_dossier(
                    con, f"{unit}-{year}{month:02d}-{n}", agency_code=unit, procedure_code="P10",
                    channel=2 if online else 1, service_level=4 if online else 2,
                    fee_amount=20_000 if n % 3 else 0, paid_online=1 if n % 3 == 1 else 0,
                    received_at=f"{year}-{month:02d}-0{n + 3} 09:00",
                    finished_at=f"{year}-{month:02d}-{12 + 3 * n} 10:00",
                    rating=4 if n % 4 else 1, result_attached=online, digitized_components=online,
                )
    con.execute(
        "CREATE TABLE staging.targets (plan_id VARCHAR, scope_code VARCHAR, year INTEGER, kpi_code VARCHAR, "
        "comparator VARCHAR, target DOUBLE, source VARCHAR)")
    con.executemany("INSERT INTO staging.targets VALUES (?, ?, ?, ?, ?, ?, ?)", TARGETS)
    con.execute("INSERT INTO staging.rankings VALUES ('PAR', 2024, 'KH', 90.49, 10, 63, 63, 'Bộ Nội vụ')")
    build_model(con, AS_OF)
    build_index_766(con, AS_OF)
    build_scorecard(con, AS_OF)
    return con


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads")
    con = build_warehouse(folder / "warehouse.duckdb")
    out = folder / "bi"
    paths = write_downloads(con, out, AS_OF, bi_name="reform_bi.duckdb",
                            built_at=dt.datetime(2025, 10, 1, 1, 35, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    yield con, out, paths
    con.close()


def warehouse_rows(con, query, params=None):
    cursor = con.execute(query, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def ytd_metrics(con) -> dict[tuple[str, str], tuple]:
    """(scope, metric) -> (numerator, value) of the 2025 rows of model.unit_metrics_current."""
    return {(scope, metric): (numerator, value) for scope, metric, numerator, value in con.execute(
        "SELECT scope_code, metric_code, numerator, value FROM model.unit_metrics_current "
        "WHERE period_type = 'year' AND period_start = DATE '2025-01-01'").fetchall()}


def index_totals(con) -> dict[str, tuple]:
    return {scope: (score, points, max_points) for scope, score, points, max_points in con.execute(
        "SELECT scope_code, score_100, points, max_points FROM score.index_766 "
        "WHERE period_type = 'year' AND period_start = DATE '2025-01-01' AND indicator_code = 'total'").fetchall()}


def number(value):
    return None if value is None else float(value) if isinstance(value, Decimal) else value


def same_in_excel(shown, want) -> bool:
    """A workbook number is the warehouse's to the 16 significant digits a cell keeps (Excel
    itself computes with 15)."""
    shown = None if shown is None or shown == "" or (isinstance(shown, float) and pd.isna(shown)) else shown
    if shown is None or want is None:
        return shown is None and want is None
    return shown == pytest.approx(number(want), rel=1e-15, abs=0)


# ---------------------------------------------------------------------------------------------
# The unit table


def test_the_unit_table_lists_todays_units_in_tree_order(written):
    con, _, _ = written
    rows = unit_table(con, AS_OF)
    codes = [row["agency_code"] for row in rows]
    alive = {code for code, *_ in TREE} - ENDED
    assert set(codes) == alive  # the new ward is in, the ended district and wards are not
    assert len(codes) == len(alive)
    # depth, then the parent's name, then the name in Vietnamese order
    assert codes[0] == "KH"
    assert [row["depth"] for row in rows] == sorted(row["depth"] for row in rows)
    depth_one = [row["agency_name"] for row in rows if row["depth"] == 1]
    assert depth_one.index("Phường Nha Trang") < depth_one.index("Sở Tư pháp")
    assert codes[-2:] == ["E2", "E1"]  # Phòng Công chứng before Phòng Hộ tịch, both under DEP
    by_code = {row["agency_code"]: row for row in rows}
    assert by_code["NW"]["parent_name"] == "Tỉnh Khánh Hòa" and by_code["KH"]["parent_name"] is None
    assert by_code["NW"]["kind"] == "ward" and by_code["NW"]["kind_label"] == "Phường / ward"
    assert by_code["HY"]["agency_name"] == HYPERLINK


def test_the_unit_table_holds_the_year_to_date_and_the_766_total(written):
    con, _, _ = written
    metrics, totals = ytd_metrics(con), index_totals(con)
    for row in unit_table(con, AS_OF):
        code = row["agency_code"]
        assert (row["period_start"], row["period_end"]) == (dt.date(2025, 1, 1), AS_OF)
        assert row["dossiers_received"] == metrics[(code, "dossiers_received")][0]
        for metric in ("online_rate", "full_online_rate", "online_payment_rate", "on_time_rate",
                       "satisfaction_rate", "processing_wd_avg", "processing_wd_median", "processing_wd_p90"):
            assert row[metric] == metrics[(code, metric)][1], (code, metric)
        score, points, max_points = totals.get(code, (None, None, None))
        assert (row["index_766_score_100"], row["index_766_points"], row["index_766_max_points"]) == (
            number(score), number(points), max_points)
    by_code = {row["agency_code"]: row for row in unit_table(con, AS_OF)}
    # the new ward's year is restated: the dossiers of W1 and W2 in 2025, and its own
    assert by_code["NW"]["dossiers_received"] == sum(RECEIVED[u][1] + RECEIVED[u][2] + RECEIVED[u][3]
                                                     for u in ("W1", "W2", "NW"))
    # its 766 total follows the tree as it was, where the ward has only its own August dossiers
    as_was = con.execute("SELECT numerator FROM model.unit_metrics WHERE scope_code = 'NW' AND period_type = 'year' "
                         "AND metric_code = 'dossiers_received'").fetchone()[0]
    assert as_was == RECEIVED["NW"][3] and by_code["NW"]["index_766_max_points"] > 0
    # the year of the as-of date only: MI received dossiers in 2024, none in 2025
    assert by_code["MI"]["dossiers_received"] == 0 and by_code["MI"]["online_rate"] is None
    assert all(type(value) in (str, int, float, dt.date, type(None)) for row in by_code.values()
               for value in row.values())


def test_the_unit_columns_take_their_labels_from_the_catalogue(written):
    con, _, _ = written
    columns = {column.key: column for column in unit_table_columns(con)}
    labels = dict((code, (vi, en)) for code, vi, en in con.execute(
        "SELECT metric_code, label_vi, label_en FROM meta.metric_catalogue").fetchall())
    for code in ("dossiers_received", "online_rate", "processing_wd_p90"):
        assert (columns[code].label_vi, columns[code].label_en) == labels[code]
    assert columns["online_rate"].kind == "rate" and columns["dossiers_received"].kind == "count"
    assert columns["processing_wd_avg"].kind == "working_days"
    assert {columns[key].kind for key in ("index_766_score_100", "index_766_points", "index_766_max_points")} == {
        "points"}
    assert "tree as it was" in columns["index_766_score_100"].note_en
    assert set(unit_table(con, AS_OF)[0]) - set(columns) == {"kind"}  # the code beside its label
    assert set(columns) <= set(unit_table(con, AS_OF)[0])


# ---------------------------------------------------------------------------------------------
# Formula-like text


@pytest.mark.parametrize("text", [HYPERLINK, PLUS, MINUS, AT, "\t=1", "\r=1", " =1+1", "＝1+1", "-5"])
def test_formula_like_text_is_neutralised_in_csv(text):
    assert formula_like(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Phường Lộc Thọ", "000.00.00.H32", "a=b", "", ">= 25", "'quoted"])
def test_plain_text_is_left_as_it_is(text):
    assert not formula_like(text)
    assert csv_text(text) == text


# ---------------------------------------------------------------------------------------------
# CSV


def read_csv_rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_files_are_written_next_to_the_page(written):
    _, out, paths = written
    assert [path.name for path in paths] == ["scorecard.csv", "units.csv", "scorecard.xlsx"]
    assert sorted(path.name for path in out.iterdir()) == FILES
    for path in paths:
        assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("name", ["scorecard.csv", "units.csv"])
def test_csv_files_start_with_a_bom_and_open_with_pandas_and_csv(written, name):
    _, out, _ = written
    raw = (out / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    frame = pd.read_csv(out / name, encoding="utf-8-sig")
    rows = read_csv_rows(out / name)
    assert len(frame) == len(rows) > 0
    assert list(frame.columns) == list(rows[0].keys())
    assert all(" / " in header for header in frame.columns)  # Vietnamese / English
    assert not frame.columns[0].startswith("\ufeff")


def test_scorecard_csv_holds_every_row_of_the_scorecard(written):
    con, out, _ = written
    expected = {(r["plan_id"], r["scope_code"], r["year"], r["kpi_code"]): r for r in warehouse_rows(
        con, "SELECT * FROM score.scorecard")}
    frame = pd.read_csv(out / "scorecard.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert len(frame) == len(expected) == len(TARGETS)
    headers = list(frame.columns)
    assert headers[:5] == ["Kế hoạch / Plan", "Năm / Year", "Mã đơn vị / Unit code", "Đơn vị / Unit",
                           "Mã chỉ tiêu / KPI code"]
    plan = frame["Kế hoạch / Plan"].map(lambda text: text[1:] if text.startswith("'") else text)
    labels = dict((code, (vi, en)) for code, vi, en in con.execute(
        "SELECT metric_code, label_vi, label_en FROM meta.metric_catalogue").fetchall())
    for index, row in frame.iterrows():
        key = (plan[index], row["Mã đơn vị / Unit code"], int(row["Năm / Year"]), row["Mã chỉ tiêu / KPI code"])
        want = expected[key]
        for header, column in (("Mục tiêu / Target", "target"), ("Thực hiện / Value", "value")):
            cell = row[header]
            assert (None if cell == "" else float(cell)) == want[column], (key, column)
        for header, column in (("Tử số / Numerator", "numerator"), ("Mẫu số / Denominator", "denominator")):
            assert (None if row[header] == "" else int(row[header])) == want[column], (key, column)
        assert row["Mã đánh giá / Status code"] == want["status"]
        assert row["Mã cây đơn vị / Tree code"] == (want["tree"] or "")
        assert row["Nguồn số liệu (xếp hạng) / Value source (rank publisher)"] == (want["value_source"] or "")
        assert row["Số liệu đến ngày / Data as of"] == AS_OF.isoformat()
        if want["kpi_code"] in labels:
            assert (row["Chỉ tiêu (tiếng Việt) / KPI (Vietnamese)"], row["Chỉ tiêu (tiếng Anh) / KPI (English)"]) \
                == labels[want["kpi_code"]]
        # a rate is a fraction with its percentage beside it; other kinds have no percentage
        if row["Loại giá trị / Value kind"] == "tỷ lệ / rate" and want["value"] is not None:
            assert float(row["Thực hiện (%) / Value (%)"]) == round(want["value"] * 100, 2)
        else:
            assert row["Thực hiện (%) / Value (%)"] == ""
    by_kpi = {(plan[i], r["Mã chỉ tiêu / KPI code"]): r for i, r in frame.iterrows()}
    met = by_kpi[("KH-2025", "online_rate")]
    assert (met["Đánh giá (tiếng Việt) / Status (Vietnamese)"], met["Đánh giá (tiếng Anh) / Status (English)"]) in {
        ("Đạt", "met"), ("Chưa đạt", "not met")}
    rank = by_kpi[("KH-2024", "rank_par")]
    assert rank["Thực hiện / Value"] == "10.0" and rank["Mẫu số / Denominator"] == "63"
    assert rank["Nguồn số liệu (xếp hạng) / Value source (rank publisher)"] == "Bộ Nội vụ"
    assert rank["Chỉ tiêu (tiếng Việt) / KPI (Vietnamese)"].startswith("Xếp hạng ")
    assert rank["Mã cây đơn vị / Tree code"] == ""
    no_data = by_kpi[("KH-2026", "online_rate")]  # a year after the data
    assert (no_data["Mã đánh giá / Status code"], no_data["Thực hiện / Value"]) == ("no_data", "")
    assert no_data["Đánh giá (tiếng Anh) / Status (English)"] == "no data"


def test_a_negative_rate_stays_a_number_in_csv(written):
    con, out, _ = written
    value = con.execute("SELECT value FROM score.scorecard WHERE scope_code = 'DEP' "
                        "AND kpi_code = 'internal_units_reduction'").fetchone()[0]
    assert value < 0
    rows = [row for row in read_csv_rows(out / "scorecard.csv") if row["Mã đơn vị / Unit code"] == "DEP"]
    assert rows[0]["Thực hiện / Value"] == repr(value)  # "-1.0", not "'-1.0"
    assert float(rows[0]["Thực hiện (%) / Value (%)"]) == round(value * 100, 2)


def test_units_csv_holds_the_unit_table(written):
    con, out, _ = written
    metrics, totals = ytd_metrics(con), index_totals(con)
    frame = pd.read_csv(out / "units.csv", encoding="utf-8-sig")
    codes = list(frame["Mã đơn vị / Unit code"])
    assert codes == [row["agency_code"] for row in unit_table(con, AS_OF)]
    assert "W1" not in codes and "D1" not in codes and "NW" in codes
    labels = {column.key: column for column in unit_table_columns(con)}
    for _, row in frame.iterrows():
        code = row["Mã đơn vị / Unit code"]
        assert row[labels["dossiers_received"].header] == metrics[(code, "dossiers_received")][0]
        for metric in ("online_rate", "on_time_rate", "satisfaction_rate", "processing_wd_avg", "processing_wd_p90"):
            want = metrics[(code, metric)][1]
            cell = row[labels[metric].header]
            assert (None if pd.isna(cell) else cell) == want, (code, metric)
        want = metrics[(code, "online_rate")][1]
        percent = row[f"{labels['online_rate'].label_vi} (%) / {labels['online_rate'].label_en} (%)"]
        assert (None if pd.isna(percent) else percent) == (None if want is None else round(want * 100, 2))
        shown = tuple(row[labels[key].header] for key in (
            "index_766_score_100", "index_766_points", "index_766_max_points"))
        assert tuple(None if pd.isna(v) else v for v in shown) == tuple(number(v) for v in totals[code])


def test_formula_like_names_are_quoted_in_csv(written):
    _, out, _ = written
    units = {row["Mã đơn vị / Unit code"]: row for row in read_csv_rows(out / "units.csv")}
    for code, name in PLANTED.items():
        assert units[code]["Tên đơn vị / Unit name"] == "'" + name
    scorecard = read_csv_rows(out / "scorecard.csv")
    plans = {row["Kế hoạch / Plan"] for row in scorecard}
    assert "'=1+2" in plans and "=1+2" not in plans
    sources = {row["Căn cứ chỉ tiêu / Where the target is stated"] for row in scorecard}
    assert "'@SUM(A1:A9)" in sources and "'\t=cmd|' /C calc'!A0" in sources
    names = {row["Đơn vị / Unit"] for row in scorecard}
    assert "'" + HYPERLINK in names and "'" + MINUS in names


# ---------------------------------------------------------------------------------------------
# The workbook


@pytest.fixture(scope="module")
def workbook(written):
    _, out, _ = written
    return openpyxl.load_workbook(out / "scorecard.xlsx")


def headers(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def test_the_workbook_has_a_sheet_per_table_and_a_readme(workbook):
    assert workbook.sheetnames == [SCORECARD_SHEET, UNITS_SHEET, ABOUT_SHEET]
    about = {row[0]: row[1] for row in workbook[ABOUT_SHEET].iter_rows(values_only=True) if row[0]}
    assert about["Số liệu đến ngày / Data as of"].date() == AS_OF
    assert about["Thời điểm tạo / Built at"].startswith("2025-10-01 01:35:00+07:00")
    assert "reform_bi.duckdb" in about["Nguồn / Source"]
    assert about["Tỉnh / Province"] == "Tỉnh Khánh Hòa"


def test_sheets_are_formatted_as_an_office_expects(workbook, written):
    con, _, _ = written
    columns = unit_table_columns(con)
    units = workbook[UNITS_SHEET]
    assert headers(units) == [column.header for column in columns]
    assert units.freeze_panes == "C2"
    assert workbook[SCORECARD_SHEET].freeze_panes == "B2"
    for sheet in (units, workbook[SCORECARD_SHEET]):
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(6 <= width <= 62 for width in widths)
        assert len(set(widths)) > 3  # fitted, not one default width
    by_key = {column.key: index for index, column in enumerate(columns, start=1)}
    for row in range(2, units.max_row + 1):
        for key in ("online_rate", "full_online_rate", "online_payment_rate", "on_time_rate", "satisfaction_rate"):
            cell = units.cell(row, by_key[key])
            assert cell.number_format == "0.00%"
            assert cell.value is None or isinstance(cell.value, (int, float))  # a number, shown as a percentage
        assert units.cell(row, by_key["dossiers_received"]).number_format == "#,##0"
        assert units.cell(row, by_key["index_766_score_100"]).number_format == "0.00"
    scorecard = workbook[SCORECARD_SHEET]
    names = headers(scorecard)
    kinds = names.index("Loại giá trị / Value kind") + 1
    value = names.index("Thực hiện / Value") + 1
    target = names.index("Mục tiêu / Target") + 1
    for row in range(2, scorecard.max_row + 1):
        kind = scorecard.cell(row, kinds).value
        if kind == "tỷ lệ / rate":
            assert scorecard.cell(row, target).number_format == "0.00%"
        elif kind == "số lượng / count":
            assert scorecard.cell(row, target).number_format == "#,##0"
        if scorecard.cell(row, value).value is not None and kind == "tỷ lệ / rate":
            assert scorecard.cell(row, value).number_format == "0.00%"


def test_no_cell_of_the_workbook_is_a_formula(written, workbook):
    _, out, _ = written
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(out / "scorecard.xlsx") as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name


def test_planted_names_arrive_as_their_exact_text(written, workbook):
    con, out, _ = written
    units = workbook[UNITS_SHEET]
    names = {row[0]: (row[1], cell) for row, cell in zip(units.iter_rows(min_row=2, values_only=True),
                                                         units.iter_rows(min_row=2, max_col=2))}
    for code, name in PLANTED.items():
        text, cells = names[code]
        assert text == name
        assert cells[1].data_type == "s" and cells[1].quotePrefix
    assert not names["KH"][1][1].quotePrefix
    scorecard = workbook[SCORECARD_SHEET]
    values = {cell.value for row in scorecard.iter_rows(min_row=2) for cell in row}
    assert {"=1+2", "@SUM(A1:A9)", "\t=cmd|' /C calc'!A0", HYPERLINK, MINUS} <= values
    for engine in ("openpyxl", "calamine"):
        frame = pd.read_excel(out / "scorecard.xlsx", sheet_name=UNITS_SHEET, engine=engine)
        assert set(frame["Tên đơn vị / Unit name"]) >= set(PLANTED.values())


def test_workbook_numbers_equal_the_warehouses(written):
    con, out, _ = written
    metrics, totals = ytd_metrics(con), index_totals(con)
    columns = {column.key: column.header for column in unit_table_columns(con)}
    frame = pd.read_excel(out / "scorecard.xlsx", sheet_name=UNITS_SHEET, engine="openpyxl")
    for _, row in frame.iterrows():
        code = row[columns["agency_code"]]
        assert row[columns["dossiers_received"]] == metrics[(code, "dossiers_received")][0]
        for metric in ("online_rate", "full_online_rate", "online_payment_rate", "on_time_rate", "satisfaction_rate",
                       "processing_wd_avg", "processing_wd_median", "processing_wd_p90"):
            assert same_in_excel(row[columns[metric]], metrics[(code, metric)][1]), (code, metric)
        for key, want in zip(("index_766_score_100", "index_766_points", "index_766_max_points"), totals[code]):
            assert same_in_excel(row[columns[key]], want), (code, key)
    sheet = pd.read_excel(out / "scorecard.xlsx", sheet_name=SCORECARD_SHEET, engine="openpyxl",
                          keep_default_na=False)
    expected = {(r["scope_code"], r["year"], r["kpi_code"]): r for r in warehouse_rows(
        con, "SELECT * FROM score.scorecard")}
    assert len(sheet) == len(expected)
    for _, row in sheet.iterrows():
        want = expected[(row["Mã đơn vị / Unit code"], row["Năm / Year"], row["Mã chỉ tiêu / KPI code"])]
        for header, column in (("Mục tiêu / Target", "target"), ("Thực hiện / Value", "value"),
                               ("Tử số / Numerator", "numerator"), ("Mẫu số / Denominator", "denominator")):
            assert same_in_excel(row[header], want[column]), column
    negative = sheet[sheet["Mã chỉ tiêu / KPI code"] == "internal_units_reduction"]["Thực hiện / Value"].iloc[0]
    assert isinstance(negative, (int, float)) and negative == -1  # a number, not text


# ---------------------------------------------------------------------------------------------
# Atomic replacement


def test_the_files_are_replaced_whole(tmp_path, written):
    con, _, _ = written
    folder = tmp_path / "bi"
    folder.mkdir()
    for name in FILES:
        (folder / name).write_text("yesterday", encoding="utf-8")
        os.link(folder / name, tmp_path / f"held-{name}")  # a reader holding yesterday's file
    write_downloads(con, folder, AS_OF)
    assert sorted(path.name for path in folder.iterdir()) == FILES  # no temporary file left
    for name in FILES:
        assert (tmp_path / f"held-{name}").read_text(encoding="utf-8") == "yesterday"
        assert (folder / name).read_bytes() != b"yesterday"


def test_a_failure_replaces_nothing_and_leaves_no_temporary_file(tmp_path, written, monkeypatch):
    con, _, _ = written
    folder = tmp_path / "bi"
    folder.mkdir()
    for name in FILES:
        (folder / name).write_text("yesterday", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(downloads, "workbook_bytes", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_downloads(con, folder, AS_OF)
    assert sorted(path.name for path in folder.iterdir()) == FILES
    assert all((folder / name).read_text(encoding="utf-8") == "yesterday" for name in FILES)


@pytest.mark.parametrize("name", ["scorecard.csv", "units.csv"])
def test_every_csv_row_has_a_cell_per_header(written, name):
    """Quoting holds: names with commas and quotes keep their row's shape."""
    _, out, _ = written
    rows = list(csv.reader(io.StringIO((out / name).read_text(encoding="utf-8-sig"))))
    assert len(rows) > 1 and len({len(row) for row in rows}) == 1
