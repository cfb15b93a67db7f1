"""The national roll-up (docs/spec §5.2) over real province BI files: each one built by the
pipeline as users run it (``python -m reform_pipeline.run`` in its own process, on a generated
raw folder with its own seed), once per module. Every test copies the files it reads into its own
folder: no DuckDB file is shared between tests."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from reform_pipeline.national import ProvinceSource, build_national
from reform_pipeline_tests.fixtures import pipeline_command
from reform_pipeline_tests.processes import REPO, RUN_TIMEOUT, make_dagster_home

OLD_DUCKDB = REPO / ".venv" / "duckdb-old"
# three provinces: GSO code, name, sample seed
PROVINCES = (("56", "Khánh Hòa", 56), ("01", "Hà Nội", 1), ("79", "Hồ Chí Minh", 79))
FAILED = "79"  # its second run fails: its published file keeps the first run's numbers
PROVINCE_TABLES = ("dossier_facts", "unit_metrics", "unit_metrics_current", "index_766", "scorecard", "units",
                   "rankings", "metric_catalogue", "quarantine_summary", "run_info")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """code -> the published BI file of a real run on a small sample (3,000 dossiers, 3 months),
    the provinces side by side; then province FAILED runs again without its unit tree, which
    fails and leaves its published file as it was."""
    root = tmp_path_factory.mktemp("provinces")
    samples = [
        subprocess.Popen(
            [sys.executable, "-m", "reform_pipeline.sample", "--out", str(root / code / "raw"), "--start",
             "2026-09-01", "--end", "2026-11-30", "--dossiers", "3000", "--seed", str(seed), "--quiet",
             "--manifest", str(root / code / "manifest.json")],
            cwd=REPO,
        )
        for code, _name, seed in PROVINCES
    ]
    assert [p.wait(timeout=RUN_TIMEOUT) for p in samples] == [0] * len(PROVINCES)
    runs = {code: _start(root / code) for code, _name, _seed in PROVINCES}
    files = {code: root / code / "work" / "bi" / "reform_bi.duckdb" for code in runs}
    _finish(FAILED, runs.pop(FAILED), root / FAILED)
    before = files[FAILED].read_bytes()
    (root / FAILED / "raw" / "agencies.csv").unlink()
    failing = _start(root / FAILED)
    for code, process in runs.items():
        _finish(code, process, root / code)
    failing.wait(timeout=RUN_TIMEOUT)
    assert failing.returncode != 0
    assert files[FAILED].read_bytes() == before
    return files


def _start(folder: Path) -> subprocess.Popen:
    """``python -m reform_pipeline.run`` on ``folder/raw`` into ``folder/work``, DAGSTER_HOME as
    ``make run`` sets it up."""
    home = folder / "home"
    if not home.exists():
        make_dagster_home(home)
    command, env = pipeline_command(folder / "raw", folder / "work", dagster_home=home)
    for name in ("REFORM_AS_OF", "REFORM_ACCEPT_SHRINK"):
        env.pop(name, None)
    with open(folder / "run.log", "w") as log:  # a file: a full pipe would stall a run nobody reads yet
        return subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)


def _finish(code: str, process: subprocess.Popen, folder: Path) -> None:
    process.wait(timeout=RUN_TIMEOUT)
    assert process.returncode == 0, f"province {code}:\n{(folder / 'run.log').read_text()[-3000:]}"


def sources(built: dict[str, Path], folder: Path, **statuses: str) -> list[ProvinceSource]:
    """The provinces with copies of their files in ``folder``; the latest run SUCCESS unless
    ``statuses`` says otherwise (code=status)."""
    result = []
    for code, name, _seed in PROVINCES:
        copy = folder / "provinces" / code / "bi" / "reform_bi.duckdb"
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[code], copy)
        result.append(ProvinceSource(code, name, copy, statuses.get(f"p{code}", "SUCCESS"), f"run-{code}"))
    return result


def national_path(folder: Path) -> Path:
    return folder / "national" / "reform_national.duckdb"


def build(srcs: list[ProvinceSource], folder: Path, run_id: str = "n1"):
    lines: list[str] = []
    summary = build_national(srcs, national_path(folder), run_id=run_id, log=lines.append)
    return summary, lines


def query(path: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()


def provinces_table(path: Path) -> dict[str, dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute("SELECT * FROM mart.provinces")
        names = [c[0] for c in cursor.description]
        return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}


# ---------------------------------------------------------------------------------------------


def test_national_tables_are_the_union_of_the_province_files(built, tmp_path):
    srcs = sources(built, tmp_path)
    summary, _ = build(srcs, tmp_path)
    national = national_path(tmp_path)
    assert summary.statuses == {"current": 3, "previous": 0, "previous_national": 0, "missing": 0}
    assert summary.path == national and summary.size_bytes == national.stat().st_size
    rows = {}
    for source in srcs:
        with duckdb.connect(str(source.bi_db), read_only=True) as con:
            counts = {t: con.execute(f"SELECT count(*) FROM mart.{t}").fetchone()[0] for t in PROVINCE_TABLES}
            sums = con.execute(
                "SELECT (SELECT sum(fee_amount) FROM mart.dossier_facts),"
                " (SELECT sum(numerator) FROM mart.unit_metrics_current),"
                " (SELECT sum(points) FROM mart.index_766 WHERE indicator_code = 'total'),"
                " (SELECT as_of FROM mart.run_info), (SELECT built_at FROM mart.run_info)"
            ).fetchone()
        assert sums[0] > 0 and sums[1] > 0
        rows[source.code] = sum(counts.values())
        for table, count in counts.items():
            assert query(national, f"SELECT count(*) FROM mart.{table} WHERE province_code = ?",
                         [source.code])[0][0] == count, (source.code, table)
        assert query(
            national,
            "SELECT (SELECT sum(fee_amount) FROM mart.dossier_facts WHERE province_code = $c),"
            " (SELECT sum(numerator) FROM mart.unit_metrics_current WHERE province_code = $c),"
            " (SELECT sum(points) FROM mart.index_766 WHERE indicator_code = 'total' AND province_code = $c),"
            " (SELECT as_of FROM mart.run_info WHERE province_code = $c),"
            " (SELECT built_at FROM mart.run_info WHERE province_code = $c)",
            {"c": source.code},
        )[0] == sums
        assert query(national, "SELECT DISTINCT province_name FROM mart.units WHERE province_code = ?",
                     [source.code]) == [(source.name,)]
        province = provinces_table(national)[source.code]
        assert province["status"] == "current" and province["numbers_from"] == "province_file"
        assert (province["as_of"], province["built_at"]) == sums[3:]
        assert (province["last_run_status"], province["last_run_id"]) == ("SUCCESS", f"run-{source.code}")
        assert province["rows_taken"] == rows[source.code] and province["tables_taken"] == len(PROVINCE_TABLES)
    for table in PROVINCE_TABLES:
        columns = [c for (c,) in query(national, "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'mart'"
                                                 " AND table_name = ? ORDER BY column_index", [table])]
        assert columns[:2] == ["province_code", "province_name"]
        assert summary.rows[table] == query(national, f"SELECT count(*) FROM mart.{table}")[0][0]
    assert set(summary.rows) == {*PROVINCE_TABLES, "provinces", "national_766_ranking", "national_run_info"}
    assert query(national, "SELECT run_id, provinces FROM mart.national_run_info") == [("n1", 3)]
    # written whole beside the published name, then renamed: nothing else is left beside it
    assert sorted(p.name for p in national.parent.iterdir() if not p.name.startswith(".")) == [
        "reform_national.duckdb", "scorecard.html"]


def expected_ranking(files: dict[str, Path]) -> tuple[str, list[tuple[str, object]]]:
    """The ranking recomputed from each province file: the root unit of today's tree, its 766
    total of the latest whole month every province has, scores descending."""
    latest, scores = {}, {}
    for code, path in files.items():
        with duckdb.connect(str(path), read_only=True) as con:
            root = con.execute("SELECT agency_code FROM mart.units WHERE parent_code IS NULL AND alive_at_as_of"
                               " ORDER BY agency_code LIMIT 1").fetchone()[0]
            months = dict(con.execute(
                "SELECT period_start, score_100 FROM mart.index_766 WHERE scope_code = ? AND period_type = 'month'"
                " AND indicator_code = 'total' AND period_end = last_day(period_start)", [root]).fetchall())
        latest[code] = max(months)
        scores[code] = months
    month = min(latest.values())
    return month, sorted(((code, scores[code][month]) for code in files), key=lambda cs: (-cs[1], cs[0]))


def test_provinces_are_ranked_by_the_766_score_of_the_latest_common_whole_month(built, tmp_path):
    srcs = sources(built, tmp_path)
    # a fourth province with the same file as the first: a tie
    twin = tmp_path / "twin.duckdb"
    shutil.copyfile(srcs[0].bi_db, twin)
    srcs.append(ProvinceSource("95", "Twin", twin, "SUCCESS"))
    summary, _ = build(srcs, tmp_path)
    month, expected = expected_ranking({s.code: s.bi_db for s in srcs})
    rows = query(national_path(tmp_path),
                 "SELECT rank, province_code, score_100, period_type, period_start, period_end, max_points,"
                 " full_max_points, points FROM mart.national_766_ranking ORDER BY rank, province_code")
    assert [(code, score) for _r, code, score, *_ in rows] == expected
    assert len({score for _c, score in expected}) >= 3, "the seeds give different scores"
    ranks, previous = [], None
    for position, (_code, score) in enumerate(expected, start=1):
        ranks.append(ranks[-1] if score == previous else position)
        previous = score
    assert [r[0] for r in rows] == ranks
    tied = {code: rank for rank, code, *_ in rows}
    assert tied["95"] == tied["56"] and sorted(tied.values()).count(tied["56"]) == 2
    assert {(r[3], r[4]) for r in rows} == {("month", month)}
    assert summary.ranking_period == (month, rows[0][5])
    for row in rows:
        assert row[6] <= row[7] == 56 and row[8] is not None  # covered max beside the full max
    # the page shows the ranking in that order, each score with its covered points
    page = Page.read(national_path(tmp_path).parent / "scorecard.html")
    assert [(r["data-province"], r["data-rank"]) for r in page.rows("ranking-table")] == [
        (code, str(rank)) for rank, code, *_ in rows]


def test_a_province_whose_last_run_failed_shows_its_previous_numbers_with_their_as_of(built, tmp_path):
    srcs = sources(built, tmp_path, **{f"p{FAILED}": "FAILURE"})
    summary, lines = build(srcs, tmp_path)
    failed = provinces_table(national_path(tmp_path))[FAILED]
    as_of = query(built[FAILED], "SELECT as_of FROM mart.run_info")[0][0]
    assert failed["status"] == "previous" and failed["as_of"] == as_of
    assert failed["last_run_status"] == "FAILURE" and failed["numbers_from"] == "province_file"
    assert as_of.isoformat() in failed["note"] and "FAILURE" in failed["note"]
    assert summary.statuses["previous"] == 1 and summary.statuses["current"] == 2
    assert any(FAILED in line and str(srcs[2].bi_db) in line and "FAILURE" in line for line in summary.messages)
    # its numbers are there, ranked, and marked on the page with their as-of date
    assert query(national_path(tmp_path), "SELECT count(*) FROM mart.dossier_facts WHERE province_code = ?",
                 [FAILED])[0][0] > 0
    assert query(national_path(tmp_path), "SELECT status, as_of, rank IS NOT NULL FROM mart.national_766_ranking"
                 " WHERE province_code = ?", [FAILED]) == [("previous", as_of, True)]
    page = Page.read(national_path(tmp_path).parent / "scorecard.html")
    for table in ("ranking-table", "province-table", "kpi-table"):
        row = next(r for r in page.rows(table) if r["data-province"] == FAILED)
        assert row["data-status"] == "previous" and "stale" in row.get("class", "")
    assert as_of.isoformat() in page.row_text("province-table", FAILED)
    assert "Số liệu cũ" in page.row_text("province-table", FAILED)


def corrupt_middle(path: Path) -> None:
    """Overwrite blocks in the middle of a DuckDB file: it opens, and fails on reading them."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xa5" * (size // 3))


def test_a_corrupt_province_file_falls_back_to_the_previous_national_rows(built, tmp_path):
    srcs = sources(built, tmp_path)
    build(srcs, tmp_path, run_id="night-1")
    national = national_path(tmp_path)
    bad = "01"
    before = {t: query(national, f"SELECT * FROM mart.{t} WHERE province_code = ? ORDER BY ALL", [bad])
              for t in PROVINCE_TABLES}
    previous = provinces_table(national)[bad]
    bad_file = next(s.bi_db for s in srcs if s.code == bad)
    corrupt_middle(bad_file)
    summary, lines = build(srcs, tmp_path, run_id="night-2")
    province = provinces_table(national)[bad]
    assert province["status"] == "previous_national" and province["numbers_from"] == "previous_national_file"
    assert (province["as_of"], province["built_at"]) == (previous["as_of"], previous["built_at"])
    assert province["problem"] and province["rows_taken"] == previous["rows_taken"]
    for table, rows in before.items():  # the previous rows, whole: nothing of the broken read stayed
        assert query(national, f"SELECT * FROM mart.{table} WHERE province_code = ? ORDER BY ALL", [bad]) == rows
    assert summary.statuses == {"current": 2, "previous": 0, "previous_national": 1, "missing": 0}
    message = next(m for m in summary.messages if m.startswith(f"province {bad}:"))
    assert str(bad_file) in message and previous["as_of"].isoformat() in message
    assert query(national, "SELECT run_id FROM mart.national_run_info") == [("night-2",)]
    # and the next night, still broken, keeps them again with the same as-of date
    build(srcs, tmp_path, run_id="night-3")
    again = provinces_table(national)[bad]
    assert (again["status"], again["as_of"], again["rows_taken"]) == (
        "previous_national", previous["as_of"], previous["rows_taken"])


def test_a_missing_or_unreadable_province_without_previous_rows_is_missing(built, tmp_path):
    srcs = sources(built, tmp_path)
    gone, garbage = srcs[0], srcs[1]
    gone.bi_db.unlink()
    garbage.bi_db.write_bytes(b"Nguyen Van A, 0905123456\n" * 1000)  # not a DuckDB file
    summary, lines = build(srcs, tmp_path)
    table = provinces_table(national_path(tmp_path))
    for source in (gone, garbage):
        assert table[source.code]["status"] == "missing" and table[source.code]["rows_taken"] == 0
        assert table[source.code]["as_of"] is None and table[source.code]["problem"]
        message = next(m for m in summary.messages if m.startswith(f"province {source.code}:"))
        assert str(source.bi_db) in message
    assert "not found" in table[gone.code]["problem"]
    assert not any("Nguyen" in line or "0905123456" in line for line in lines)  # never a cell of the file
    assert table[srcs[2].code]["status"] == "current"  # one bad province never stops the others
    assert query(national_path(tmp_path), "SELECT rank, unranked_reason FROM mart.national_766_ranking"
                 " WHERE province_code = ?", [gone.code]) == [(None, "no rows")]
    assert query(national_path(tmp_path), "SELECT count(*) FROM mart.dossier_facts WHERE province_code IN (?, ?)",
                 [gone.code, garbage.code]) == [(0,)]


def test_provinces_of_other_versions_are_unioned_by_column_name(built, tmp_path):
    srcs = sources(built, tmp_path)
    newer, older, clashing = srcs
    with duckdb.connect(str(newer.bi_db)) as con:
        con.execute("ALTER TABLE mart.units ADD COLUMN population BIGINT DEFAULT 1000")
    with duckdb.connect(str(older.bi_db)) as con:
        con.execute("ALTER TABLE mart.scorecard DROP COLUMN value_source")
    with duckdb.connect(str(clashing.bi_db)) as con:  # a type no other province's can be widened to
        con.execute("ALTER TABLE mart.units ALTER COLUMN depth TYPE DATE USING DATE '2020-01-01' + depth")
    summary, lines = build(srcs, tmp_path)
    national = national_path(tmp_path)
    assert query(national, "SELECT province_code, count(population) FROM mart.units GROUP BY ALL ORDER BY ALL") == [
        (older.code, 0), (newer.code, query(newer.bi_db, "SELECT count(*) FROM mart.units")[0][0])]
    # a column one province lacks is NULL on its rows, the others' values kept
    assert query(national, "SELECT * EXCLUDE (province_code, province_name) FROM mart.scorecard"
                           " WHERE province_code = ? ORDER BY ALL", [newer.code]) == query(
        newer.bi_db, "SELECT * FROM mart.scorecard ORDER BY ALL")
    assert query(national, "SELECT count(*), count(value_source) FROM mart.scorecard WHERE province_code = ?",
                 [older.code]) == [(query(older.bi_db, "SELECT count(*) FROM mart.scorecard")[0][0], 0)]
    statuses = {code: p["status"] for code, p in provinces_table(national).items()}
    assert statuses == {newer.code: "current", older.code: "current", clashing.code: "missing"}
    message = next(m for m in summary.messages if m.startswith(f"province {clashing.code}:"))
    assert "type" in message and "2020" not in message  # said in fixed words, no value of the file
    names = {n for (n,) in query(clashing.bi_db, "SELECT agency_name FROM mart.units")}
    assert not any(name in line for name in names for line in lines)


def test_province_files_are_read_only_and_a_reader_blocks_nothing(built, tmp_path):
    srcs = sources(built, tmp_path)
    digests = {s.code: hashlib.sha256(s.bi_db.read_bytes()).hexdigest() for s in srcs}
    build(srcs, tmp_path, run_id="first")
    national = national_path(tmp_path)
    # a BI session holds the previous national file and a province file open while the next build runs
    with duckdb.connect(str(national), read_only=True) as reader, \
            duckdb.connect(str(srcs[0].bi_db), read_only=True) as province_reader:
        build(srcs, tmp_path, run_id="second")
        assert reader.execute("SELECT run_id FROM mart.national_run_info").fetchall() == [("first",)]
        assert province_reader.execute("SELECT count(*) FROM mart.units").fetchone()[0] > 0
    assert query(national, "SELECT run_id FROM mart.national_run_info") == [("second",)]
    assert {s.code: hashlib.sha256(s.bi_db.read_bytes()).hexdigest() for s in srcs} == digests
    assert not [p for p in srcs[0].bi_db.parent.iterdir() if p.name != "reform_bi.duckdb"]


@pytest.mark.skipif(not OLD_DUCKDB.exists(), reason="make setup installs the old DuckDB client")
def test_an_old_duckdb_client_opens_the_national_file(built, tmp_path):
    build(sources(built, tmp_path), tmp_path)
    script = textwrap.dedent(
        """
        import sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'mart'").fetchone()[0]
        ranked = con.execute("SELECT count(rank) FROM mart.national_766_ranking").fetchone()[0]
        rows = con.execute("SELECT count(*) FROM mart.unit_metrics").fetchone()[0]
        print(duckdb.__version__, tables, ranked, rows)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(national_path(tmp_path))],
        env={**os.environ, "PYTHONPATH": str(OLD_DUCKDB)}, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out[0] == "1.1.3" and int(out[1]) == len(PROVINCE_TABLES) + 3 and int(out[2]) == 3 and int(out[3]) > 0


def test_the_page_shows_every_province_escaped_and_self_contained(built, tmp_path):
    srcs = sources(built, tmp_path, **{f"p{FAILED}": "CANCELED"})
    hostile = '<script>alert("x")</script> & Co'
    srcs[0] = replace(srcs[0], name=hostile)
    missing = ProvinceSource("99", "Nowhere", tmp_path / "none.duckdb")
    summary, _ = build([*srcs, missing], tmp_path)
    text = summary.page.read_text(encoding="utf-8")
    assert "<script" not in text and "&lt;script&gt;" in text
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#)""", text)  # nothing loaded, no link out
    page = Page.read(summary.page)
    codes = [s.code for s in srcs] + ["99"]
    for table in ("ranking-table", "province-table", "kpi-table"):
        assert sorted(r["data-province"] for r in page.rows(table)) == sorted(codes)
    statuses = {r["data-province"]: r["data-status"] for r in page.rows("province-table")}
    assert statuses == {srcs[0].code: "current", srcs[1].code: "current", FAILED: "previous", "99": "missing"}
    as_of = query(built[FAILED], "SELECT as_of FROM mart.run_info")[0][0]
    assert as_of.isoformat() in page.row_text("ranking-table", FAILED)
    # the ranking's scores are the file's; the key indicators are the root unit's year to date
    national = national_path(tmp_path)
    for row in page.rows("ranking-table"):
        score = query(national, "SELECT score_100 FROM mart.national_766_ranking WHERE province_code = ?",
                      [row["data-province"]])[0][0]
        assert row["data-score"] == ("" if score is None else str(score))
    received = query(built[srcs[1].code], "SELECT m.value FROM mart.unit_metrics_current AS m, mart.run_info AS r"
                     " WHERE m.scope_code = (SELECT agency_code FROM mart.units WHERE parent_code IS NULL"
                     " AND alive_at_as_of) AND m.metric_code = 'dossiers_received' AND m.period_type = 'year'"
                     " AND m.period_start = date_trunc('year', r.as_of)")[0][0]
    cell = page.cell("kpi-table", srcs[1].code, "dossiers_received")
    assert float(cell) == received


def national_docs() -> str:
    text = (REPO / "docs" / "bi.md").read_text(encoding="utf-8")
    return text.split("\n## The national roll-up", 1)[1].split("\n## ", 1)[0]


def test_docs_bi_md_lists_the_national_columns_and_its_query_runs(built, tmp_path):
    build(sources(built, tmp_path), tmp_path)
    docs = national_docs()
    with duckdb.connect(str(national_path(tmp_path)), read_only=True) as con:
        for table in ("provinces", "national_766_ranking", "national_run_info"):
            section = docs.split(f"### `mart.{table}`", 1)[1].split("\n### ", 1)[0]
            documented = re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", section, flags=re.M)
            actual = [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE mart.{table}").fetchall()]
            assert documented == actual, table
        query = re.search(r"```\n(SELECT.*?)```", docs, flags=re.S)[1]
        assert len(con.execute(query).fetchall()) == len(PROVINCES)


class Page(HTMLParser):
    """The rows of the page's tables: each <tr data-province> with its attributes, its text and
    its cells' data attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict]] = {}
        self.table: str | None = None
        self.row: dict | None = None

    @classmethod
    def read(cls, path: Path) -> "Page":
        page = cls()
        page.feed(path.read_text(encoding="utf-8"))
        return page

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "table" and attrs.get("id"):
            self.table = attrs["id"]
            self.tables[self.table] = []
        elif tag == "tr" and self.table and "data-province" in attrs:
            self.row = {**attrs, "text": "", "cells": []}
            self.tables[self.table].append(self.row)
        elif tag == "td" and self.row is not None:
            self.row["cells"].append(attrs)
            if "data-score" in attrs:
                self.row["data-score"] = attrs["data-score"]

    def handle_endtag(self, tag):
        if tag == "tr":
            self.row = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.row is not None:
            self.row["text"] += data

    def rows(self, table: str) -> list[dict]:
        return self.tables[table]

    def row_text(self, table: str, code: str) -> str:
        return next(r["text"] for r in self.rows(table) if r["data-province"] == code)

    def cell(self, table: str, code: str, metric: str) -> str:
        row = next(r for r in self.rows(table) if r["data-province"] == code)
        return next(c["data-value"] for c in row["cells"] if c.get("data-metric") == metric)


@pytest.mark.parametrize("width", (1280, 400))
def test_the_page_fits_a_phone_and_a_desktop_in_a_real_browser(built, tmp_path, width):
    """The national page in the Debian chromium (as the province page's tests open theirs): at
    1280 and 400 px nothing is wider than the viewport outside a scroll container of its own,
    and every province's row is there, the failed one marked."""
    from playwright.sync_api import sync_playwright

    from reform_pipeline_tests.publish.test_page_in_browser import MEASURE, _chromium

    srcs = sources(built, tmp_path, **{f"p{FAILED}": "FAILURE"})
    summary, _ = build(srcs, tmp_path)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(summary.page.as_uri())
            measured = page.evaluate(MEASURE)
            assert measured["scrollWidth"] <= measured["innerWidth"], measured
            assert measured["wide"] == [], measured
            shown = page.eval_on_selector_all(
                "#province-table tbody tr", "rows => rows.map(r => [r.dataset.province, r.dataset.status])")
            assert dict(shown) == {code: ("previous" if code == FAILED else "current") for code, _n, _s in PROVINCES}
            assert page.locator(f'#ranking-table tr[data-province="{FAILED}"]').get_attribute("class") == "stale"
        finally:
            browser.close()
