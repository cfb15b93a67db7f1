"""docs/spec §2.7: the national rankings input, its rules, and rank targets on the scorecard."""

from __future__ import annotations

import datetime as dt

import pytest

from reform_pipeline_tests.fixtures import dossier, ingest, make_raw, quarantine, write_csv

HEADERS = ("Chỉ số", "Năm", "Đơn vị", "Điểm số", "Xếp hạng", "Số tỉnh được xếp hạng", "Cơ sở", "Nguồn")


def ranking(*cells):
    return dict(zip(HEADERS, cells))


ROWS = [
    ranking("PAR", "2024", "P", "90,49", "10", "63", "63", "Bộ Nội vụ, Quyết định công bố PAR Index 2024"),
    ranking("papi", "2023", "P", "44.94", "8", "61", "63", "UNDP, báo cáo PAPI 2023"),
    ranking("PCI", "2023", "P", "67.65", "", "", "63", "VCCI, báo cáo PCI 2023"),  # rank outside the top 30
    ranking("DTI", "2024", "P", "0.7071", "16", "34", "34", "Bộ Khoa học và Công nghệ"),
    ranking("HDI", "2024", "P", "0.8", "5", "63", "63", "x"),  # not an index of the catalogue
    ranking("PAR", "2024", "P", "90", "10", "63", "64", "x"),  # basis neither 63 nor 34
    ranking("PAR", "2023", "P", "90", "70", "63", "63", "x"),  # rank above the provinces ranked
    ranking("PAR", "2023", "P", "", "", "", "63", "x"),  # neither score nor rank
    ranking("PAR", "2023", "NOPE", "90", "3", "63", "63", "x"),
    ranking("SIPAS", "2024", "P", "", "30", "63", "63", ""),  # no source
]


@pytest.fixture
def con(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    write_csv(raw / "rankings.csv", ROWS)
    connection = ingest(raw, tmp_path / "wh.duckdb")
    yield connection
    connection.close()


def test_ranking_rows_are_validated(con):
    assert [row for row in quarantine(con) if row[0] == "rankings.csv"] == [
        ("rankings.csv", 5, "bad_code"), ("rankings.csv", 6, "bad_code"), ("rankings.csv", 7, "bad_number"),
        ("rankings.csv", 8, "missing_required"), ("rankings.csv", 9, "unknown_agency"),
        ("rankings.csv", 10, "missing_required")]
    assert con.execute(
        "SELECT index_code, year, score, rank, provinces_ranked, basis FROM staging.rankings ORDER BY 1, 2"
    ).fetchall() == [
        ("DTI", 2024, 0.7071, 16, 34, 34), ("PAPI", 2023, 44.94, 8, 61, 63),
        ("PAR", 2024, 90.49, 10, 63, 63), ("PCI", 2023, 67.65, None, None, 63)]


def test_rank_targets_take_the_rank_of_their_year_and_never_guess_a_missing_one(con):
    from reform_pipeline.model import build_calendar, build_dossier_facts, build_unit_history, build_unit_metrics
    from reform_pipeline.model import build_unit_metrics_current
    from reform_pipeline.score.build import build_scorecard

    con.execute("DELETE FROM staging.targets")
    con.executemany("INSERT INTO staging.targets VALUES ('KH-CCHC-2025', 'P', ?, ?, '<=', 25, 'plan')", [
        (2024, "rank_par"), (2023, "rank_pci"), (2025, "rank_dti"), (2024, "rank_dti")])
    as_of = dt.date(2025, 3, 1)
    for build in (build_calendar, build_unit_history, build_dossier_facts, build_unit_metrics,
                  build_unit_metrics_current, build_scorecard):
        build(con, as_of)
    rows = {(kpi, year): row for kpi, year, *row in con.execute(
        "SELECT kpi_code, year, value, numerator, denominator, status, tree, value_source FROM score.scorecard"
    ).fetchall()}
    assert rows[("rank_par", 2024)] == [10.0, 10, 63, "met", None, "Bộ Nội vụ, Quyết định công bố PAR Index 2024"]
    assert rows[("rank_dti", 2024)] == [16.0, 16, 34, "met", None, "Bộ Khoa học và Công nghệ"]
    # the PCI's rank was not published (outside the top 30): no_data, not guessed
    assert rows[("rank_pci", 2023)] == [None, None, None, "no_data", None, None]
    # no 2025 DTI yet
    assert rows[("rank_dti", 2025)] == [None, None, None, "no_data", None, None]


def test_a_rank_target_takes_only_less_than(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    write_csv(raw / "targets.csv", [
        {"plan_id": "K", "scope_code": "P", "year": "2025", "kpi_code": "RANK_PAR", "comparator": "<=", "target": "25"},
        {"plan_id": "K", "scope_code": "P", "year": "2025", "kpi_code": "rank_pci", "comparator": ">=", "target": "25"},
    ])
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert [row for row in quarantine(con) if row[0] == "targets.csv"] == [("targets.csv", 2, "bad_code")]
    assert con.execute("SELECT kpi_code FROM staging.targets").fetchall() == [("rank_par",)]
