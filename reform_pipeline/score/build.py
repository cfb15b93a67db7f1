"""Build the score tables (docs/spec §4.5–4.6) and summarise them for the asset metadata.

Each ``build_<table>`` runs ``sql/score/<table>.sql`` on a warehouse connection that already
holds ``model.unit_metrics``, ``model.dossier_facts``, ``staging.unit_closure``,
``staging.agencies`` and ``staging.targets``, and returns a small dict of plain values (no
Dagster types) that an asset can turn into ``MaterializeResult`` metadata.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from reform_pipeline.warehouse import run_sql_file, scalar

SCORECARD_STATUSES = ("met", "not_met", "no_data")

# The province as it is now is the root of the unit tree without a valid_to (docs/spec §2.3).
_ROOT_UNIT = (
    "SELECT agency_code FROM staging.agencies WHERE parent_code IS NULL AND valid_to IS NULL "
    "ORDER BY agency_code LIMIT 1"
)

_ROOT_TOTAL_LATEST = """
SELECT period_start, points, max_points, score_100
FROM score.index_766
WHERE scope_code = ? AND period_type = ? AND indicator_code = 'total'
ORDER BY period_start DESC
LIMIT 1
"""


def root_unit(con: duckdb.DuckDBPyConnection) -> str | None:
    """The agency_code of the province (the root of staging.agencies), or None if there is none."""
    return scalar(con, _ROOT_UNIT)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def build_index_766(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any]:
    """Materialize ``score.index_766`` and summarise it.

    Returns ``rows``, ``units``, ``periods``, the number of covered indicator rows, and the
    province's total for the latest year (``province_year``, ``province_points``,
    ``province_max_points``, ``province_score_100``; None where there is nothing to show).
    """
    # the range of the procedure numbers whose sets index_766.sql unites, as a constant
    last_procedure_number = scalar(
        con, "SELECT greatest(count(DISTINCT procedure_code) - 1, 0) FROM model.dossier_facts"
    )
    run_sql_file(con, "score/index_766", {"as_of": as_of, "last_procedure_number": last_procedure_number})
    rows, units, periods, covered = con.execute(
        """
        SELECT
            count(*),
            count(DISTINCT scope_code),
            count(DISTINCT (period_type, period_start)),
            count(*) FILTER (WHERE indicator_code <> 'total' AND points IS NOT NULL)
        FROM score.index_766
        """
    ).fetchone()
    summary: dict[str, Any] = {
        "rows": int(rows),
        "units": int(units),
        "periods": int(periods),
        "covered_indicator_rows": int(covered),
        "province_code": None,
        "province_year": None,
        "province_points": None,
        "province_max_points": None,
        "province_score_100": None,
    }
    province = root_unit(con)
    if province is None:
        return summary
    summary["province_code"] = province
    latest = con.execute(_ROOT_TOTAL_LATEST, [province, "year"]).fetchone()
    if latest is not None:
        period_start, points, max_points, score_100 = latest
        summary.update(
            province_year=period_start.year,
            province_points=_number(points),
            province_max_points=int(max_points),
            province_score_100=_number(score_100),
        )
    return summary


def build_scorecard(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any]:
    """Materialize ``score.scorecard`` and summarise it: ``rows`` and the count per status."""
    run_sql_file(con, "score/scorecard", {"as_of": as_of})
    counts = dict(con.execute("SELECT status, count(*) FROM score.scorecard GROUP BY status").fetchall())
    summary: dict[str, Any] = {"rows": int(sum(counts.values())), "as_of": as_of.isoformat()}
    for status in SCORECARD_STATUSES:
        summary[status] = int(counts.get(status, 0))
    return summary
