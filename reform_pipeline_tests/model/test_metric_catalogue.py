"""The metric catalogue (reform_pipeline/catalogue, docs/spec §4.4, §4.5): loaded into the
warehouse as written, refused when a row is wrong, and model.unit_metrics computes exactly its
codes."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from reform_pipeline.catalogue import CATALOGUE_PACKAGE, INDICATORS_FILE, METRICS_FILE, load_catalogue

from .staging_tables import add_dossier, build_model

PACKAGE_FOLDER = Path(str(resources.files(CATALOGUE_PACKAGE)))


def file_rows(name: str) -> list[dict[str, str]]:
    with (PACKAGE_FOLDER / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def catalogue_codes(con) -> list[str]:
    rows = con.execute("SELECT metric_code FROM meta.metric_catalogue ORDER BY display_order").fetchall()
    return [code for (code,) in rows]


def copy_catalogue(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in (METRICS_FILE, INDICATORS_FILE):
        shutil.copy(PACKAGE_FOLDER / name, folder / name)
    return folder


def append_row(path: Path, row: dict[str, str]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(row), lineterminator="\n").writerow(row)


def test_the_warehouse_holds_the_files_rows_in_their_order(con):
    metrics = file_rows(METRICS_FILE)
    assert con.execute(
        "SELECT metric_code, kind, label_vi, label_en, description FROM meta.metric_catalogue ORDER BY display_order"
    ).fetchall() == [(r["metric_code"], r["kind"], r["label_vi"], r["label_en"], r["description"]) for r in metrics]
    indicators = file_rows(INDICATORS_FILE)
    assert con.execute(
        "SELECT indicator_code, indicator_group, rate_metric_code, max_points, threshold "
        "FROM meta.index_766_indicators ORDER BY display_order"
    ).fetchall() == [
        (r["indicator_code"], r["indicator_group"], r["rate_metric_code"] or None, int(r["max_points"]),
         Decimal(r["threshold"]))
        for r in indicators
    ]
    types = dict(con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'meta' AND table_name = 'index_766_indicators'"
    ).fetchall())
    assert types["max_points"] == "INTEGER" and types["threshold"] == "DECIMAL(4,2)"


def test_the_catalogue_holds_exactly_the_contracts_codes(con):
    # docs/spec §4.4
    assert catalogue_codes(con) == [
        "dossiers_received", "online_rate", "full_online_rate", "online_payment_rate",
        "digitized_intake_rate", "on_time_rate", "early_rate", "late_rate", "overdue_open",
        "processing_wd_avg", "processing_wd_median", "processing_wd_p90", "e_result_rate",
        "satisfaction_rate", "rating_satisfied_share", "full_online_procedure_rate",
        "declared_info_reduction", "internal_units_reduction",
    ]
    kinds = dict(con.execute("SELECT metric_code, kind FROM meta.metric_catalogue").fetchall())
    assert {code for code, kind in kinds.items() if kind != "rate"} == {
        "dossiers_received", "overdue_open", "processing_wd_avg", "processing_wd_median", "processing_wd_p90"}
    assert kinds["overdue_open"] == "count" and kinds["processing_wd_p90"] == "working_days"
    # docs/spec §4.5
    assert con.execute(
        "SELECT indicator_code, indicator_group, coalesce(rate_metric_code, indicator_code), max_points, "
        "CAST(threshold AS DOUBLE) FROM meta.index_766_indicators ORDER BY display_order"
    ).fetchall() == [
        ("progress_on_time", "Tiến độ giải quyết", "on_time_rate", 20, 1.0),
        ("online_dossiers", "Dịch vụ công trực tuyến", "online_rate", 12, 0.5),
        ("online_payment", "Thanh toán trực tuyến", "online_payment_rate", 6, 1.0),
        ("payment_procedures", "Thanh toán trực tuyến", "payment_procedures", 2, 0.8),
        ("e_result", "Số hóa hồ sơ", "e_result_rate", 6, 1.0),
        ("digitization", "Số hóa hồ sơ", "digitized_intake_rate", 4, 0.8),
        ("satisfaction_dossier", "Mức độ hài lòng", "satisfaction_rate", 6, 0.9),
    ]


def add_some_dossiers(con):
    add_dossier(con, "A", received_at="2025-03-03 08:00", finished_at="2025-03-05 10:00", channel=2, rating=4)
    add_dossier(con, "B", status=4, received_at="2025-04-01 08:00", agency_code="NT02")


def test_unit_metrics_computes_every_catalogue_code_and_no_other(con):
    add_some_dossiers(con)
    build_model(con, "2025-04-30")
    computed = {code for (code,) in con.execute("SELECT DISTINCT metric_code FROM model.unit_metrics").fetchall()}
    assert computed == set(catalogue_codes(con))
    # dense: every unit × period has each code once
    per_unit_period = con.execute(
        "SELECT DISTINCT count(*), count(DISTINCT metric_code) FROM model.unit_metrics "
        "GROUP BY scope_code, period_type, period_start"
    ).fetchall()
    assert per_unit_period == [(len(computed), len(computed))]


def test_a_computed_code_missing_from_the_catalogue_stops_the_model(con):
    add_some_dossiers(con)
    con.execute("DELETE FROM meta.metric_catalogue WHERE metric_code = 'early_rate'")
    with pytest.raises(duckdb.Error, match=r"early_rate \(computed, not in the catalogue\)"):
        build_model(con, "2025-04-30")


def test_a_refused_table_is_rolled_back_to_the_one_before(con):
    # model/build.py writes the rows straight into model.unit_metrics and checks the codes there,
    # in one transaction: a refused table never replaces the one before.
    add_some_dossiers(con)
    build_model(con, "2025-04-30")
    before = con.execute("SELECT * FROM model.unit_metrics ORDER BY ALL").fetchall()
    con.execute("DELETE FROM meta.metric_catalogue WHERE metric_code = 'early_rate'")
    add_dossier(con, "C", received_at="2025-04-02 08:00")
    with pytest.raises(duckdb.Error, match=r"model.unit_metrics and the metric catalogue"):
        build_model(con, "2025-04-30")
    assert con.execute("SELECT * FROM model.unit_metrics ORDER BY ALL").fetchall() == before


def test_a_catalogued_code_that_is_not_computed_stops_the_model(con):
    add_some_dossiers(con)
    con.execute(
        "INSERT INTO meta.metric_catalogue VALUES ('petitions_answered_rate', 'rate', 'Tỷ lệ phản ánh được trả lời', "
        "'Petitions answered', 'Petitions answered over petitions received.', 19)"
    )
    with pytest.raises(duckdb.Error, match=r"petitions_answered_rate \(in the catalogue, not computed\)"):
        build_model(con, "2025-04-30")


def test_without_any_accepted_dossier_there_is_nothing_to_compare(con):
    summary = build_model(con, dt.date(2025, 4, 30))
    assert summary["unit_metrics"]["rows"] == 0


def test_a_wrong_catalogue_is_refused_naming_every_problem_and_the_old_one_stays(con, tmp_path):
    folder = copy_catalogue(tmp_path / "catalogue")
    append_row(folder / METRICS_FILE, {
        "metric_code": "online_rate", "kind": "rate", "label_vi": "Lặp", "label_en": "Repeated", "description": "x"})
    append_row(folder / METRICS_FILE, {
        "metric_code": "median_days", "kind": "days", "label_vi": "Ngày", "label_en": "", "description": "x"})
    append_row(folder / INDICATORS_FILE, {
        "indicator_code": "fast", "label_vi": "Nhanh", "label_en": "Fast", "indicator_group": "Tiến độ giải quyết",
        "indicator_group_en": "Speed", "rate_metric_code": "overdue_open", "max_points": "0", "threshold": "0.805",
        "description": "x"})
    with pytest.raises(duckdb.Error) as raised:
        load_catalogue(con, folder)
    message = str(raised.value)
    for problem in (
        "metrics.csv: online_rate: listed 2 times",
        "metrics.csv: median_days: kind must be count, rate or working_days",
        "metrics.csv: median_days: label_vi, label_en and description are required",
        "index_766.csv: fast: rate_metric_code must be a rate of metrics.csv",
        "index_766.csv: fast: max_points must be a whole number above 0",
        "index_766.csv: fast: threshold must lie in (0, 1] with at most 2 decimals",
        "index_766.csv: group Tiến độ giải quyết: one English name, not Processing progress and Speed",
    ):
        assert problem in message
    assert len(catalogue_codes(con)) == 18
    assert con.execute("SELECT count(*) FROM meta.index_766_indicators").fetchone()[0] == 7


def test_adding_a_metric_is_one_row(con, tmp_path):
    folder = copy_catalogue(tmp_path / "catalogue")
    append_row(folder / METRICS_FILE, {
        "metric_code": "petitions_answered_rate", "kind": "rate", "label_vi": "Tỷ lệ phản ánh được trả lời",
        "label_en": "Petitions answered", "description": "Petitions answered over petitions received."})
    load_catalogue(con, folder)
    assert catalogue_codes(con)[-1] == "petitions_answered_rate"
    assert con.execute(
        "SELECT kind, display_order FROM meta.metric_catalogue WHERE metric_code = 'petitions_answered_rate'"
    ).fetchone() == ("rate", 19)
