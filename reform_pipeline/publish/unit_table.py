"""The unit table: every unit of today's tree with its key metrics and its 766 score, one
definition for the scorecard page and for its downloads (units.csv, the workbook's units sheet).

``unit_table(con, as_of)`` gives the rows (``sql/publish/unit_table.sql``) as dicts of plain
values: str, int, float, datetime.date or None; besides the columns' keys each row carries the
unit's ``kind`` code (``mart.units.kind``) beside its shown label ``kind_label``.
``unit_table_columns(con)`` gives the columns in the same order, each with its Vietnamese and
English header, its kind (how a value is shown) and a note. The headers of the metric columns
are the labels of the metric catalogue (``meta.metric_catalogue``), never a code.

Which tree each number comes from (docs/spec §4.5, §4.7): the metrics are restated on today's
units (``model.unit_metrics_current``), over the year of the as-of date to the as-of date; the
766 index follows the tree as it was (``score.index_766``), and its covered maximum is always
beside its score: 46 points out of 48 covered is not 46 out of 56.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from reform_pipeline.publish.report_format import KIND_LABELS, bilingual
from reform_pipeline.warehouse import sql_text

# The kinds of a column: how its values are written and shown.
TEXT = "text"
COUNT = "count"  # a whole number: 1,234
RATE = "rate"  # a fraction: 0.873 is 87.3 %
WORKING_DAYS = "working_days"  # a number of working days: 3.38
POINTS = "points"  # points of the 766 index, or a score out of 100: 46.25
DATE = "date"
KINDS = (TEXT, COUNT, RATE, WORKING_DAYS, POINTS, DATE)

# The metric columns, in the page's order; their headers and kinds come from the catalogue.
METRIC_CODES = (
    "dossiers_received",
    "online_rate",
    "full_online_rate",
    "online_payment_rate",
    "on_time_rate",
    "satisfaction_rate",
    "processing_wd_avg",
    "processing_wd_median",
    "processing_wd_p90",
)

TODAYS_TREE_NOTE = (
    "Từ đầu năm đến ngày số liệu, trên cây đơn vị hiện nay (số liệu quy đổi)",
    "Year to date, on today's units (restated)",
)
AS_WAS_NOTE = (
    "Năm của ngày số liệu, trên cây đơn vị tại thời điểm tiếp nhận (cây đơn vị cũ)",
    "Year of the as-of date, on the tree as it was",
)


@dataclass(frozen=True)
class Column:
    """One column of the unit table: the key of its value in each row, its header in Vietnamese
    and English, its kind (one of KINDS) and a note (Vietnamese, English) said under the header."""

    key: str
    label_vi: str
    label_en: str
    kind: str
    note_vi: str = ""
    note_en: str = ""

    @property
    def header(self) -> str:
        """The header as one line, Vietnamese first: "Tên đơn vị / Unit name"."""
        return f"{self.label_vi} / {self.label_en}"


_UNIT_COLUMNS = (
    Column("agency_code", "Mã đơn vị", "Unit code", TEXT),
    Column("agency_name", "Tên đơn vị", "Unit name", TEXT),
    Column("kind_label", "Loại đơn vị", "Unit kind", TEXT),
    Column("parent_name", "Đơn vị cấp trên", "Parent unit", TEXT),
    Column("depth", "Cấp trong cây", "Depth in the tree", COUNT, "0: tỉnh", "0: the province"),
    Column("period_start", "Từ ngày", "From", DATE, *TODAYS_TREE_NOTE),
    Column("period_end", "Đến ngày", "To", DATE, *TODAYS_TREE_NOTE),
)

_INDEX_COLUMNS = (
    Column("index_766_score_100", "Điểm 766 (thang 100)", "766 score (out of 100)", POINTS,
           "Điểm đạt / điểm tối đa được đo × 100; " + AS_WAS_NOTE[0],
           "Points earned / covered maximum × 100; " + AS_WAS_NOTE[1]),
    Column("index_766_points", "Điểm 766 đạt được", "766 points earned", POINTS, *AS_WAS_NOTE),
    Column("index_766_max_points", "Điểm tối đa được đo (766)", "766 covered maximum", POINTS,
           "Tổng điểm tối đa của các chỉ số đo được; " + AS_WAS_NOTE[0],
           "Sum of the maximum points of the indicators measured; " + AS_WAS_NOTE[1]),
)

_LABELS = "SELECT metric_code, label_vi, label_en, kind FROM meta.metric_catalogue"


def unit_table_columns(con: duckdb.DuckDBPyConnection) -> list[Column]:
    """The columns of the unit table, in its order, with the metric labels of the catalogue (the
    code itself for a metric the catalogue does not know)."""
    catalogue = {code: (vi, en, kind) for code, vi, en, kind in con.execute(_LABELS).fetchall()}
    metrics = []
    for code in METRIC_CODES:
        label_vi, label_en, kind = catalogue.get(code, (code, code, RATE))
        metrics.append(Column(code, label_vi, label_en, kind if kind in KINDS else RATE, *TODAYS_TREE_NOTE))
    return [*_UNIT_COLUMNS, *metrics, *_INDEX_COLUMNS]


def _plain(value: Any) -> Any:
    """A DuckDB value as a plain Python value: DECIMAL points become floats."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def unit_table(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict[str, Any]]:
    """One row per unit alive at the as-of date, in tree order (``sql/publish/unit_table.sql``),
    keyed by the ``key`` of ``unit_table_columns``."""
    cursor = con.execute(sql_text("publish/unit_table"), {"as_of": as_of})
    names = [column[0] for column in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = {name: _plain(value) for name, value in zip(names, values)}
        kind = row["kind"]
        row["kind_label"] = None if kind is None else bilingual(KIND_LABELS.get(kind, (kind, kind)))
        rows.append(row)
    return rows
