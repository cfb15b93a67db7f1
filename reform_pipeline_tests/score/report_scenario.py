"""A small province for the report and BI-doc tests: Q1 2025, the two plans of docs/spec §1.

No unit has ended: today's tree is the tree as it was, and model.unit_metrics_current holds the
same rows as model.unit_metrics (docs/spec §4.7). The report tests of a merged province, where the
two differ, build their warehouse with the model stage itself (test_report.py)."""

from __future__ import annotations

import datetime as dt

from reform_pipeline.model import build_unit_history
from reform_pipeline.score.build import build_index_766, build_scorecard

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


def build_report_scenario(con):
    """Three months of 2025 for every unit of the province tree on both trees, the plans'
    targets, scored."""
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
