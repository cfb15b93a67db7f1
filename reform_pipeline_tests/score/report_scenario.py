"""Small provinces for the report, BI-doc and page tests.

``build_report_scenario``: Q1 2025, the two plans of docs/spec §1, hand-made metrics. No unit has
ended: today's tree is the tree as it was, and model.unit_metrics_current holds the same rows as
model.unit_metrics (docs/spec §4.7).

``build_merged_province``: a province merged on 2025-07-01 (docs/spec §2.3, §2.6, §4.7), its
dossiers run through the real model and score stages, so that the two trees differ; with
``history`` it also has every month of 2024, the 2025 plan with a national rank target, the
rankings of docs/spec §2.7 and what a run records about its input files, so that the page has a
previous year to compare with (test_report.py, reform_pipeline_tests/publish/test_page_in_browser.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from reform_pipeline.model import build_unit_history
from reform_pipeline.score.build import build_index_766, build_scorecard
from reform_pipeline.warehouse import split_statements, sql_text

from ..model.staging_tables import (
    add_dossier,
    add_unit_change,
    build_model,
    new_warehouse,
)
from .warehouse_fixture import add_metric, add_target

AS_OF = dt.date(2025, 3, 31)
MONTHS = [
    ("month", dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
    ("month", dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
    ("month", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
]
YEAR = ("year", dt.date(2025, 1, 1), dt.date(2025, 3, 31))

TARGET_PLANS = [
    # plan_id, scope, year, kpi, comparator, target
    ("KH CCHC 2025 Khánh Hòa", "KH", 2025, "satisfaction_rate", ">", 0.90),
    ("KH CCHC 2025 Khánh Hòa", "KH", 2025, "online_payment_rate", ">", 0.70),
    ("KH CCHC 2025 Khánh Hòa", "KH", 2025, "declared_info_reduction", ">=", 0.20),
    ("KH CCHC 2023 Nha Trang", "NT", 2023, "satisfaction_rate", ">", 0.84),
    ("KH CCHC 2023 Nha Trang", "NT", 2023, "full_online_procedure_rate", ">=", 1.0),
    ("<b>Kế hoạch & thử</b>", "NT", 2023, "online_payment_rate", ">=", 0.30),
]


def _unit_history(con) -> None:
    """model.units at AS_OF: every unit alive (no valid_from, valid_to or successor). The lives
    and successors of docs/spec §2.3 and §2.6 are added to the inputs where they are missing."""
    con.execute("ALTER TABLE staging.agencies ADD COLUMN IF NOT EXISTS valid_from DATE")
    con.execute("ALTER TABLE staging.agencies ADD COLUMN IF NOT EXISTS valid_to DATE")
    con.execute(
        "CREATE TABLE IF NOT EXISTS staging.unit_changes "
        "(agency_code VARCHAR, successor_code VARCHAR, effective_date DATE)"
    )
    build_unit_history(con, AS_OF)


def add_run_meta(con, *, as_of=None, as_of_source="latest date in the data", files=(), quarantine=()) -> None:
    """The ingest stage's run records, as its schema creates them (sql/ingest/schema.sql): the
    run's as-of date (meta.run_context), the input files seen (meta.input_files: name, kind,
    status, message, rows read, rows quarantined) and quarantined rows (meta.quarantine: kind,
    file, reason), none unless given."""
    for statement in split_statements(sql_text("ingest/schema")):
        code = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
        if code.lstrip().startswith(("CREATE TABLE IF NOT EXISTS meta.", "ALTER TABLE meta.")):
            con.execute(statement)
    if as_of is not None:
        con.execute("INSERT INTO meta.run_context VALUES (?, ?, TIMESTAMP '2025-10-01 01:30:00')", [as_of, as_of_source])
    for name, kind, status, message, rows_read, rows_quarantined in files:
        con.execute(
            "INSERT INTO meta.input_files (file_name, kind, status, message, rows_read, rows_quarantined) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [name, kind, status, message, rows_read, rows_quarantined],
        )
    for kind, file_name, reason, rows in quarantine:
        for row_number in range(rows):
            con.execute(
                "INSERT INTO meta.quarantine VALUES (?, ?, ?, ?, '{}')", [kind, file_name, row_number + 2, reason]
            )


def build_report_scenario(con):
    """Three months of 2025 for every unit of the province tree on both trees, the plans'
    targets, scored; the run records (meta.*) empty."""
    add_run_meta(con)
    _unit_history(con)
    unit_rates = {
        # scope: (satisfaction num/den per month, online payment num/den per month)
        "KH": ([(85, 100), (88, 100), (92, 100)], [(40, 100), (45, 100), (50, 100)]),
        "NT": ([(50, 60), (55, 60), (57, 60)], [(20, 60), (25, 60), (30, 60)]),
        "NT-VH": ([(10, 20), (12, 20), (15, 20)], [(1, 20), (2, 20), (3, 20)]),
        "NT-PS": ([(2, 3), (1, 2), (1, 1)], [(0, 2), (0, 2), (1, 2)]),  # tiny denominators
        "SO-TP": ([(20, 25), (22, 25), (24, 25)], [(10, 25), (12, 25), (15, 25)]),
    }
    for scope, (satisfaction, payment) in unit_rates.items():
        for period, (s, p) in zip(MONTHS, zip(satisfaction, payment)):
            add_metric(con, scope, period, "satisfaction_rate", *s)
            add_metric(con, scope, period, "online_payment_rate", *p)
            add_metric(con, scope, period, "on_time_rate", 9, 10)
        for metric, months in (("satisfaction_rate", satisfaction), ("online_payment_rate", payment)):
            add_metric(con, scope, YEAR, metric, sum(n for n, _ in months), sum(d for _, d in months))
        add_metric(con, scope, YEAR, "declared_info_reduction", 30, 100)
        add_metric(con, scope, YEAR, "on_time_rate", 27, 30)
    for plan_id, scope, year, kpi, comparator, target in TARGET_PLANS:
        add_target(con, plan_id, scope, year, kpi, comparator, target, "kế hoạch")
    con.execute("CREATE OR REPLACE TABLE model.unit_metrics_current AS SELECT * FROM model.unit_metrics")
    build_index_766(con, AS_OF)
    build_scorecard(con, AS_OF)
    return con


# ---------------------------------------------------------------------------------------------
# A merged province (docs/spec §2.3, §2.6, §4.7), built with the model stage itself.
#
# KH is the province as it is now. NT, a province, merged into it on 2025-07-01 (successor KH).
# KH's district D1 ended on 2025-06-30; its wards W1 and W2 merged into the new ward NW, NT's ward
# N1 into the new ward NPR, both from 2025-07-01. The department SO gained a division SO-B on
# 2025-05-01 (one more internal unit: a negative internal_units_reduction). As-of 2025-09-30.

MERGED_AS_OF = dt.date(2025, 9, 30)
JUNE_30, JULY_1 = "2025-06-30", "2025-07-01"
MERGED_TREE = [
    ("KH", "Tỉnh Khánh Hòa", "province", None, None, None),
    ("SO", "Sở Tư pháp", "department", "KH", None, None),
    ("SO-A", "Trung tâm Trợ giúp pháp lý", "center", "SO", None, None),
    ("SO-B", "Phòng Hành chính tư pháp", "division", "SO", "2025-05-01", None),
    ("D1", "Thành phố Nha Trang", "district", "KH", None, JUNE_30),
    ("W1", "Phường Lộc Thọ", "ward", "D1", None, JUNE_30),
    ("W2", "Phường Vĩnh Hải", "ward", "D1", None, JUNE_30),
    ("NW", "Phường Nha Trang", "ward", "KH", JULY_1, None),
    ("NT", "Tỉnh Ninh Thuận", "province", None, None, JUNE_30),
    ("N1", "Phường Đô Vinh", "ward", "NT", None, JUNE_30),
    ("NPR", "Phường Phan Rang", "ward", "KH", JULY_1, None),
]
TODAYS_UNITS = {"KH", "SO", "SO-A", "SO-B", "NW", "NPR"}
ENDED_UNITS = {"D1", "W1", "W2", "NT", "N1"}
# receiving unit -> [(month, dossiers, of which online)], 2025
MERGED_RECEIVED = {
    "W1": [(3, 4, 1)],
    "W2": [(3, 2, 0)],
    "N1": [(3, 3, 3)],
    "NW": [(8, 5, 4)],
    "NPR": [(8, 2, 1)],
    "SO": [(3, 2, 2), (8, 2, 2)],
    "SO-A": [(8, 1, 0)],
}
MERGED_TARGETS = [
    ("KH CCHC 2025", "KH", 2025, "online_rate", ">=", 0.9),
    ("KH CCHC 2025", "NW", 2025, "online_rate", ">=", 0.5),
    ("KH CCHC 2025", "SO", 2025, "internal_units_reduction", ">=", 0.1),
    ("KH CCHC 2025", "D1", 2025, "online_rate", ">=", 0.5),
]

# With history: every month of 2024 for the units of the tree as it was then (receiving unit ->
# dossiers per month), the 2025 plan of docs/spec §1 with its national rank targets, a past plan,
# the province's published rankings and the run's records of its input files.
HISTORY_RECEIVED = {"W1": 3, "W2": 2, "N1": 2, "SO": 2, "SO-A": 1}
HISTORY_TARGETS = [
    ("KH-CCHC-2025", "KH", 2025, "online_rate", ">=", 0.9),
    ("KH-CCHC-2025", "KH", 2025, "online_payment_rate", ">", 0.7),
    ("KH-CCHC-2025", "KH", 2025, "satisfaction_rate", ">", 0.9),
    ("KH-CCHC-2025", "KH", 2025, "processing_wd_avg", "<=", 5),
    ("KH-CCHC-2025", "KH", 2025, "declared_info_reduction", ">=", 0.2),
    ("KH-CCHC-2025", "KH", 2025, "internal_units_reduction", ">=", 0.15),
    ("KH-CCHC-2025", "KH", 2025, "rank_par", "<=", 25),
    ("KH-CCHC-2025", "KH", 2025, "rank_pci", "<=", 25),
    ("KH-CCHC-2025", "KH", 2025, "rank_papi", "<=", 25),
    ("KH-CCHC-2024-NhaTrang", "D1", 2024, "satisfaction_rate", ">", 0.84),
    ("KH-CCHC-2024-NhaTrang", "D1", 2024, "online_payment_rate", ">=", 0.3),
]
HISTORY_RANKINGS = [
    # index, year, score, rank, provinces ranked, basis, source
    ("PAR", 2024, 90.49, 10, 63, 63, "Bộ Nội vụ, PAR Index 2024"),
    ("PAR", 2025, 88.1, 12, 34, 34, "Bộ Nội vụ, PAR Index 2025"),
    ("PCI", 2023, 67.65, None, None, 63, "VCCI, Báo cáo PCI 2023"),
    ("PAPI", 2023, 44.94, 8, 61, 63, "UNDP và các đối tác, Báo cáo PAPI 2023"),
]
HISTORY_FILES = [
    # name, kind, status, message, rows read, rows quarantined
    ("agencies.csv", "agencies", "ingested", None, 11, 0),
    ("dossiers_20250930.csv", "dossiers", "ingested", None, 130, 3),
    ("dossiers_20241231.parquet", "dossiers", "ingested", None, 120, 1),
    ("dossiers_20250101.zip", "dossiers", "skipped", "compressed file: unpack it into the raw folder", 0, 0),
    ("dossiers_20250102.xlsx", "dossiers", "unreadable", "not a workbook", 0, 0),
    ("targets.csv", "targets", "ingested", None, 10, 0),
]
HISTORY_QUARANTINE = [
    ("dossiers", "dossiers_20250930.csv", "bad_timestamp", 2),
    ("dossiers", "dossiers_20250930.csv", "unknown_agency", 1),
    ("dossiers", "dossiers_20241231.parquet", "missing_required", 1),
]


def _merged_dossier(con, dossier_id: str, unit: str, year: int, month: int, n: int, online: bool) -> None:
    """One dossier with attributes varied by n: fees paid online or not, ratings, finished a few
    working days later (every fourth one late), a digitised intake now and then."""
    add_dossier(
        con, dossier_id, agency_code=unit, procedure_code="P10" if n % 2 else "P5",
        channel=2 if online else 1,
        fee_amount=30_000 if n % 3 == 0 else 0, paid_online=1 if n % 6 == 0 else 0,
        rating=4 if n % 5 else 1, digitized_components=n % 4 == 1, result_attached=True,
        received_at=f"{year}-{month:02d}-{n + 4:02d} 09:00",
        finished_at=f"{year}-{month:02d}-{n + 8 + (10 if n % 4 == 3 else 0):02d} 10:00",
    )


def build_merged_province(path: Path, *, history: bool = False, as_of: dt.date = MERGED_AS_OF) -> duckdb.DuckDBPyConnection:
    """The merged province's warehouse at ``path``, built with the model and score stages."""
    con = new_warehouse(path, tree=MERGED_TREE)
    add_unit_change(con, "NT", "KH", JULY_1)
    add_unit_change(con, "W1", "NW", JULY_1)
    add_unit_change(con, "W2", "NW", JULY_1)
    add_unit_change(con, "N1", "NPR", JULY_1)
    for unit, months in MERGED_RECEIVED.items():
        for month, count, online in months:
            for n in range(count):
                if history:
                    _merged_dossier(con, f"{unit}-{month}-{n}", unit, 2025, month, n, n < online)
                else:
                    add_dossier(
                        con, f"{unit}-{month}-{n}", agency_code=unit, procedure_code="P10",
                        channel=2 if n < online else 1,
                        received_at=f"2025-{month:02d}-{n + 4:02d} 09:00",
                        finished_at=f"2025-{month:02d}-20 10:00",
                    )
    if history:
        for unit, count in HISTORY_RECEIVED.items():
            for month in range(1, 13):
                for n in range(count + month % 3):
                    _merged_dossier(con, f"{unit}-2024-{month}-{n}", unit, 2024, month, n, (n + month) % 3 != 0)
    con.execute(
        "CREATE TABLE staging.targets (plan_id VARCHAR, scope_code VARCHAR, year INTEGER, kpi_code VARCHAR, "
        "comparator VARCHAR, target DOUBLE, source VARCHAR)"
    )
    con.executemany(
        "INSERT INTO staging.targets VALUES (?, ?, ?, ?, ?, ?, 'kế hoạch')",
        HISTORY_TARGETS if history else MERGED_TARGETS,
    )
    if history:
        con.executemany(
            "INSERT INTO staging.rankings VALUES (?, ?, 'KH', ?, ?, ?, ?, ?)",
            [(index, year, score, rank, ranked, basis, source)
             for index, year, score, rank, ranked, basis, source in HISTORY_RANKINGS],
        )
        add_run_meta(con, as_of=as_of, files=HISTORY_FILES, quarantine=HISTORY_QUARANTINE)
    else:
        add_run_meta(con, as_of=as_of)
    build_model(con, as_of)
    build_index_766(con, as_of)
    build_scorecard(con, as_of)
    return con
