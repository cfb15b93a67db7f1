"""docs/bi.md: every example query runs on a small BI file, and the column lists are true.

The file is published by the real publish stage (schema `mart`, STORAGE_VERSION 'v1.1.0') from
a small hand-made warehouse, and read back read-only, as a BI tool would.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from reform_pipeline.publish.bi import publish_bi
from reform_pipeline.warehouse import run_sql_file

from .conftest import PROVINCE_TREE
from .report_scenario import AS_OF, build_report_scenario
from .warehouse_fixture import add_units, create_inputs

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "bi.md"
OLD_DUCKDB = REPO / ".venv" / "duckdb-old"

MART_TABLES = [
    "dossier_facts",
    "unit_metrics",
    "unit_metrics_current",
    "index_766",
    "scorecard",
    "rankings",
    "units",
    "metric_catalogue",
    "quarantine_summary",
    "run_info",
]

DOSSIERS = [
    # id, procedure, agency, channel, level, status, received, due, end, fee, paid, rating, elapsed, allowed, outcome
    ("h1", "1.000001", "NT-VH", 2, 4, 10, "2025-01-06", "2025-01-09", "2025-01-08", 50_000, 1, 4, 2, 3, "early"),
    ("h2", "1.000001", "NT-VH", 1, 2, 10, "2025-01-07", "2025-01-10", "2025-01-15", 50_000, 0, 1, 6, 3, "late"),
    ("h3", "1.000002", "NT-PS", 2, 3, 4, "2025-02-03", "2025-02-05", "2025-03-31", 20_000, 2, None, 40, 2, "overdue"),
    ("h4", "1.000002", "NT", 3, 2, 9, "2025-03-03", "2025-03-10", "2025-03-07", 0, 0, 3, 4, 5, "early"),
    ("h5", "1.000003", "SO-TP", 2, 4, 7, "2025-03-04", None, None, 10_000, 1, None, None, None, "withdrawn"),
    ("h6", "1.000003", "KH", 1, 2, 3, None, None, None, 0, 0, None, None, None, "not_accepted"),
]


def build_bi_file(warehouse: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Publish the scored scenario with the real publish stage (docs/spec §5, STORAGE_VERSION 'v1.1.0')."""
    run_sql_file(warehouse, "ingest/schema")  # the meta tables; the others exist already
    # quarter rows for the communes' on-time rate (the scenario has months and the year)
    for scope, numerator in (("NT-VH", 30), ("NT-PS", 36), ("NT", 80)):
        warehouse.execute(
            """INSERT INTO model.unit_metrics
               SELECT agency_code, agency_name, 'quarter', DATE '2025-01-01', DATE '2025-03-31',
                      'on_time_rate', ?, 40, ? / 40
               FROM staging.agencies WHERE agency_code = ?""",
            [numerator, numerator, scope],
        )
    for row in DOSSIERS:
        (dossier_id, procedure, agency, channel, level, status, received, due, end, fee, paid,
         rating, elapsed, allowed, outcome) = row
        warehouse.execute(
            "INSERT INTO model.dossier_facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, true, ?, false, ?, ?, ?)",
            [dossier_id, procedure, agency, agency, channel, level, status, received, due, end, fee, paid,
             rating, elapsed, allowed, outcome],
        )
    warehouse.execute(
        "INSERT INTO meta.quarantine VALUES "
        "('dossiers', 'dossiers_2025-03-31.csv', 7, 'bad_timestamp', '{}'), "
        "('dossiers', 'dossiers_2025-03-31.csv', 9, 'bad_timestamp', '{}'), "
        "('dossiers', 'dossiers_2025-03-31.csv', 12, 'unknown_agency', '{}')"
    )
    warehouse.execute(
        "INSERT INTO meta.run_context VALUES (?, 'REFORM_AS_OF', TIMESTAMP '2025-04-01 02:00:00')", [AS_OF]
    )
    warehouse.execute(
        """INSERT INTO meta.input_files
               (file_name, kind, status, message, rows_read, rows_quarantined, unknown_columns)
           VALUES ('dossiers_2025-03-31.csv', 'dossiers', 'ingested', '', 120, 3, ['GhiChu']),
                  ('targets.csv', 'targets', 'ingested', '', 6, 0, [])"""
    )
    publish_bi(warehouse, path)


@pytest.fixture(scope="module")
def bi_path(tmp_path_factory):
    """Built once for the module and only read: every test opens the same file read-only."""
    folder = tmp_path_factory.mktemp("bi")
    warehouse = duckdb.connect(str(folder / "warehouse.duckdb"))
    create_inputs(warehouse)
    add_units(warehouse, PROVINCE_TREE)
    build_report_scenario(warehouse)
    build_bi_file(warehouse, folder / "reform_bi.duckdb")
    warehouse.close()
    return folder / "reform_bi.duckdb"


@pytest.fixture
def bi_file(bi_path):
    con = duckdb.connect(str(bi_path), read_only=True)
    yield con
    con.close()


def example_queries() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.S)


def documented_columns(table: str) -> list[tuple[str, str]]:
    """(column, type) rows of the docs' table for mart.<table>."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(f"### `mart.{table}`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", section, flags=re.M)


def test_docs_have_at_least_five_example_queries():
    assert len(example_queries()) >= 5


@pytest.mark.parametrize("index", range(len(example_queries())))
def test_example_query_runs_on_the_published_shape(bi_file, index):
    query = example_queries()[index]
    rows = bi_file.execute(query).fetchall()
    assert rows, f"example query {index + 1} returned nothing on the fixture file"


@pytest.mark.skipif(not OLD_DUCKDB.exists(), reason="make setup installs the old DuckDB client")
def test_example_queries_run_on_duckdb_1_1(bi_path):
    # BI drivers bundle older DuckDB releases: the examples must not need a newer one (docs/spec §5)
    script = textwrap.dedent(
        """
        import json, sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        counts = [len(con.execute(query).fetchall()) for query in json.load(sys.stdin)]
        print(json.dumps([duckdb.__version__, counts]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(bi_path)],
        input=json.dumps(example_queries()),
        env={**os.environ, "PYTHONPATH": str(OLD_DUCKDB)},
        capture_output=True, text=True, check=True,
    ).stdout
    version, counts = json.loads(out)
    assert version.startswith("1.1")
    assert all(count > 0 for count in counts), counts


def test_communes_ranked_by_on_time_rate_worst_first(bi_file):
    query = next(q for q in example_queries() if "on_time_rate" in q and "quarter" in q)
    rows = bi_file.execute(query).fetchall()
    assert [r[0] for r in rows] == ["NT-VH", "NT-PS"]  # 75 % before 90 %; the district is not a commune
    assert rows[0][-1] == 75.0


def test_online_payments_by_month_count_withdrawn_but_not_refused(bi_file):
    query = next(q for q in example_queries() if "paid_national_portal" in q)
    rows = bi_file.execute(query).fetchall()
    assert rows == [
        (dt.date(2025, 1, 1), 2, 1, 0, 50.0),
        (dt.date(2025, 2, 1), 1, 0, 1, 100.0),
        (dt.date(2025, 3, 1), 1, 1, 0, 100.0),  # h5 was withdrawn: still received
    ]


@pytest.mark.parametrize("table", MART_TABLES)
def test_docs_list_every_column_with_its_type(bi_file, table):
    actual = [
        (name, column_type.replace('"', ""))  # DuckDB quotes the struct field `name`
        for name, column_type, *_ in bi_file.execute(
            "DESCRIBE SELECT * FROM query_table($name)", {"name": "mart." + table}).fetchall()
    ]
    assert documented_columns(table) == actual


@pytest.mark.parametrize("before", ["", "bitpacking"])
def test_publishing_restores_the_compression_setting(tmp_path, before):
    # the BI write leaves FSST out (a global setting of the DuckDB instance): the warehouse's own
    # later writes must get back whatever was set before, also when the publish fails
    warehouse = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_inputs(warehouse)
    add_units(warehouse, PROVINCE_TREE)
    build_report_scenario(warehouse)
    if before:
        warehouse.execute("SET disabled_compression_methods = $methods", {"methods": before})
    setting = "SELECT lower(current_setting('disabled_compression_methods'))"
    build_bi_file(warehouse, tmp_path / "reform_bi.duckdb")
    assert warehouse.execute(setting).fetchone()[0] == before
    assert duckdb.connect(str(tmp_path / "reform_bi.duckdb"), read_only=True).execute(
        "SELECT count(*) FROM mart.dossier_facts").fetchone()[0] == len(DOSSIERS)

    warehouse.execute("DROP TABLE score.scorecard")  # the next publish fails half-way
    with pytest.raises(duckdb.CatalogException):
        publish_bi(warehouse, tmp_path / "reform_bi.duckdb")
    assert warehouse.execute(setting).fetchone()[0] == before
    warehouse.close()


def test_metric_catalogue_is_published_with_every_metric_code_then_every_indicator(bi_file):
    rows = bi_file.execute(
        "SELECT metric_code, kind, label_vi, indicator_group, indicator_group_en, rate_metric_code, max_points, "
        "threshold, sort_order FROM mart.metric_catalogue ORDER BY sort_order"
    ).fetchall()
    # 18 metric codes, 7 indicators, then the 5 rank targets of docs/spec §2.7
    assert [r[-1] for r in rows] == list(range(1, 31))
    metrics, indicators, ranks = rows[:18], rows[18:25], rows[25:]
    assert metrics[0] == ("dossiers_received", "count", "Số hồ sơ tiếp nhận", None, None, None, None, None, 1)
    assert {r[1] for r in metrics} == {"count", "rate", "working_days"}
    assert indicators[0] == ("progress_on_time", "rate", "Giải quyết đúng hạn", "Tiến độ giải quyết",
                             "Processing progress", "on_time_rate", 20, Decimal("1.00"), 19)
    assert [r[0] for r in indicators] == [
        "progress_on_time", "online_dossiers", "online_payment", "payment_procedures", "e_result",
        "digitization", "satisfaction_dossier"]
    assert sum(r[6] for r in indicators) == 56  # the covered maximum of docs/spec §4.5's example
    assert [(r[0], r[1]) for r in ranks] == [
        ("rank_par", "rank"), ("rank_pci", "rank"), ("rank_papi", "rank"), ("rank_dti", "rank"), ("rank_sipas", "rank")]
    # every code of the other tables is catalogued
    assert bi_file.execute(
        "SELECT count(*) FROM (SELECT metric_code FROM mart.unit_metrics UNION SELECT kpi_code FROM mart.scorecard "
        "UNION SELECT indicator_code FROM mart.index_766 WHERE indicator_code <> 'total') "
        "WHERE metric_code NOT IN (SELECT metric_code FROM mart.metric_catalogue)"
    ).fetchone() == (0,)
