"""The scorecard page in a real browser (docs/bi.md, "The scorecard page").

The page is built by the real model, score and publish code from a small merged province with a
year of history (reform_pipeline_tests/score/report_scenario.py), next to the BI file published
from the same warehouse, and opened from disk in a headless Chromium: the Debian package
`chromium`, driven through the PyPI package `playwright` with ``executable_path`` set to it
(Playwright never downloads a browser here). `make test` installs the package where it is
missing; without it these tests fail, they are never skipped.

At a desktop width (1280 px) and a phone width (400 px), with every folded section opened:

* nothing is wider than the viewport outside a scroll container of its own, and the page does not
  scroll sideways (``document.scrollingElement.scrollWidth <= innerWidth``);
* no target label of a chart overlaps a bar or another label, nor leaves its chart;
* every number of the targets table, the key indicators and the unit table is the BI file's: each
  cell carries the exact value in data attributes (data-scope, data-metric, data-value …), which
  must equal the row of ``mart.scorecard``, ``mart.unit_metrics_current`` or ``mart.index_766``
  (the previous year recomputed from the BI file's month rows), and the number shown must be
  that value rounded;
* the unit table sorts on a click on a header (again: the other way) and keeps, as words are typed
  in its search box, only the units that match, with or without accents.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import duckdb
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from reform_pipeline.publish.bi import publish_bi
from reform_pipeline.publish.report import write_scorecard_html

from ..score.report_scenario import MERGED_AS_OF, TODAYS_UNITS, build_merged_province

WIDTHS = (1280, 400)
BUILT_AT = dt.datetime(2025, 10, 1, 1, 30, tzinfo=dt.timezone.utc)


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "no chromium on the PATH: the page tests need the Debian package `chromium` "
            "(`make test` installs it: apt-get install --no-install-recommends chromium)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The page and the BI file of the merged province with its 2024 history, as-of 2025-09-30."""
    folder = tmp_path_factory.mktemp("page")
    con = build_merged_province(folder / "warehouse.duckdb", history=True)
    publish_bi(con, folder / "bi" / "reform_bi.duckdb")
    write_scorecard_html(con, folder / "bi" / "scorecard.html", MERGED_AS_OF, min_denominator=1, built_at=BUILT_AT)
    con.close()
    return {"page": folder / "bi" / "scorecard.html", "bi": folder / "bi" / "reform_bi.duckdb"}


@pytest.fixture(scope="module")
def bi(built):
    con = duckdb.connect(str(built["bi"]), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def browser() -> Browser:
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


def _open(browser: Browser, built: dict[str, Path], width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(built["page"].as_uri())
    return page


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(request, browser, built):
    opened = _open(browser, built, request.param)
    yield opened
    opened.close()


# ---------------------------------------------------------------------------------------------
# Layout

MEASURE = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const width = window.innerWidth;
  const scrolls = (element) => {
    for (let p = element.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') { return true; }
    }
    return false;
  };
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) { continue; }
    if ((box.right > width + 0.5 || box.left < -0.5) && !scrolls(element)) {
      wide.push(`${element.tagName.toLowerCase()}.${element.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 10)};
}"""

OVERLAPS = """() => {
  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const found = [];
  let labels = 0;
  for (const svg of document.querySelectorAll('svg')) {
    const frame = svg.getBoundingClientRect();
    for (const label of svg.querySelectorAll('.target-label')) {
      labels += 1;
      const a = label.getBoundingClientRect();
      if (a.left < frame.left - 0.5 || a.right > frame.right + 0.5 || a.top < frame.top - 0.5 || a.bottom > frame.bottom + 0.5) {
        found.push(`outside its chart: ${label.textContent}`);
      }
      for (const other of svg.querySelectorAll('rect, text')) {
        if (other === label) { continue; }
        const b = other.getBoundingClientRect();
        if (b.width > 0 && b.height > 0 && hit(a, b)) {
          found.push(`${label.textContent} overlaps ${other.tagName} ${other.getAttribute('class') || other.textContent}`);
        }
      }
    }
  }
  return {labels, found};
}"""


def test_nothing_is_wider_than_the_viewport_outside_its_own_scroll_container(page):
    measured = page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    assert measured["wide"] == [], measured


def test_target_labels_never_overlap_the_bars(page):
    result = page.evaluate(OVERLAPS)
    assert result["labels"] >= 4  # a chart per target that has a monthly trend
    assert result["found"] == []


# ---------------------------------------------------------------------------------------------
# Every number is the BI file's

NUMBER = re.compile(r"[\u2212+-]?\d[\d,]*(?:\.\d+)?")


def _shown(text: str) -> tuple[float, int]:
    """The first number of a shown text, and its decimals: '−4.8 điểm %' → (-4.8, 1)."""
    match = NUMBER.search(text)
    assert match, f"no number in {text!r}"
    token = match.group().replace("\u2212", "-").replace(",", "")
    return float(token), len(token.split(".", 1)[1]) if "." in token else 0


def _assert_shows(text: str, value: Any, kind: str, *, change: bool = False) -> None:
    """``text`` shows ``value`` (a metric of ``kind``) rounded as the page rounds it."""
    if value is None:
        assert text.startswith("—"), text
        return
    number, decimals = _shown(text)
    expected = float(value) * (100 if kind == "rate" else 1)
    assert math.isclose(number, round(expected, decimals), abs_tol=10 ** -decimals / 2 + 1e-9), (text, value)
    if change:
        assert text[0] in "+\u2212" or number == 0, text


def _exact(attribute: str | None, value: Any) -> None:
    """A data attribute holds exactly the BI file's value ('' for NULL)."""
    if value is None:
        assert attribute in ("", None), attribute
    else:
        assert attribute not in ("", None) and float(attribute) == float(value), (attribute, value)


def _kinds(bi) -> dict[str, str]:
    """The kind of every metric code and rank target (the 766 indicators left out)."""
    return dict(bi.execute(
        "SELECT metric_code, kind FROM mart.metric_catalogue WHERE indicator_group IS NULL"
    ).fetchall())


def _months(bi, tree: str, scope: str, metric: str, year: int, last_month: int) -> tuple[int, Any, Any]:
    table = "mart.unit_metrics_current" if tree == "current" else "mart.unit_metrics"
    return bi.execute(
        f"SELECT count(*), sum(numerator), sum(denominator) FROM {table} WHERE scope_code = ? AND metric_code = ? "
        "AND period_type = 'month' AND year(period_start) = ? AND month(period_start) <= ?",
        [scope, metric, year, last_month],
    ).fetchone()


def _year_row(bi, tree: str, scope: str, metric: str, year: int):
    table = "mart.unit_metrics_current" if tree == "current" else "mart.unit_metrics"
    return bi.execute(
        f"SELECT value, numerator, denominator FROM {table} WHERE scope_code = ? AND metric_code = ? "
        "AND period_type = 'year' AND year(period_start) = ?",
        [scope, metric, year],
    ).fetchone()


def _assert_previous(bi, row: dict[str, Any], tree: str, kind: str, value: Any) -> None:
    """The previous-year cells against the BI file: the same span summed from its month rows, the
    whole previous year, or nothing."""
    year, end = row["year"], min(MERGED_AS_OF, dt.date(row["year"], 12, 31))
    compared = row["compared"]
    if compared == "span":
        months, numerator, denominator = _months(bi, tree, row["scope"], row["metric"], year - 1, end.month)
        assert months == end.month
        if row["metric"] == "internal_units_reduction":  # units on 1 January against the month's end
            previous = _year_row_month(bi, tree, row["scope"], row["metric"], year - 1, end.month)
        else:
            previous = numerator if kind == "count" else numerator / denominator
            assert (int(row["previous_numerator"]), row["previous_denominator"]) == (
                numerator, "" if denominator is None else str(denominator))
        _exact(row["previous"], previous)
        _assert_shows(row["previous_text"], previous, kind)
        _exact(row["change"], float(value) - float(previous))
        _assert_shows(row["change_text"], float(value) - float(previous), kind, change=True)
    elif compared in ("year", "reference"):
        previous = _year_row(bi, tree, row["scope"], row["metric"], year - 1)[0]
        _exact(row["previous"], previous)
        _assert_shows(row["previous_text"], previous, kind)
        if compared == "year":
            _exact(row["change"], float(value) - float(previous))
        else:
            assert row["change"] == "" and row["change_text"] == "—"
    else:
        assert compared == "none" and row["previous"] == "" and row["change"] == "", row


def _year_row_month(bi, tree, scope, metric, year, month):
    table = "mart.unit_metrics_current" if tree == "current" else "mart.unit_metrics"
    return bi.execute(
        f"SELECT value FROM {table} WHERE scope_code = ? AND metric_code = ? AND period_type = 'month' "
        "AND year(period_start) = ? AND month(period_start) = ?",
        [scope, metric, year, month],
    ).fetchone()[0]


ROWS = """(selector) => Array.from(document.querySelectorAll(selector)).map((tr) => {
  const cell = (css) => tr.querySelector(css);
  const first = (td) => (td && td.childNodes.length ? td.childNodes[0].textContent.trim() : '');
  const value = cell('td.value'), previous = cell('td.previous'), change = cell('td.change'), target = cell('[data-target]');
  return {
    plan: tr.dataset.plan || null, scope: tr.dataset.scope, metric: tr.dataset.metric, year: Number(tr.dataset.year),
    status: tr.dataset.status || null,
    value: value.dataset.value, numerator: value.dataset.numerator, denominator: value.dataset.denominator,
    text: first(value), latest: value.querySelector('.latest') ? value.querySelector('.latest').dataset.latestYear : null,
    target: target ? target.dataset.target : null, target_text: target ? target.textContent.trim() : null,
    compared: previous.dataset.compared, previous: previous.dataset.previous,
    previous_numerator: previous.dataset.previousNumerator, previous_denominator: previous.dataset.previousDenominator,
    previous_text: first(previous), change: change.dataset.change, change_text: change.textContent.trim(),
  };
})"""


def test_every_number_of_the_targets_tables_is_the_bi_files(page, bi):
    rows = page.evaluate(ROWS, "table.targets tbody tr")
    scorecard = {
        (r[0], r[1], r[2], r[3]): r[4:]
        for r in bi.execute(
            "SELECT plan_id, scope_code, kpi_code, year, value, numerator, denominator, status, target, tree "
            "FROM mart.scorecard"
        ).fetchall()
    }
    assert sorted((r["plan"], r["scope"], r["metric"], r["year"]) for r in rows) == sorted(scorecard)
    kinds = _kinds(bi)
    for row in rows:
        value, numerator, denominator, status, target, tree = scorecard[(row["plan"], row["scope"], row["metric"], row["year"])]
        kind = kinds[row["metric"]]
        assert row["status"] == status
        _exact(row["value"], value)
        _exact(row["numerator"], numerator)
        _exact(row["denominator"], denominator)
        _exact(row["target"], target)
        if kind == "rank":
            if value is None:
                assert row["text"] == "—" and row["latest"] is not None  # the latest published rank, apart
            else:
                assert row["text"] == f"hạng {int(value)}/{int(denominator)}"
            assert row["compared"] == "none"
            continue
        _assert_shows(row["text"], value, kind)
        _assert_previous(bi, row, tree, kind, value)


def test_every_number_of_the_key_indicators_is_the_bi_files(page, bi):
    rows = page.evaluate(ROWS, "table.kpis tbody tr")
    kinds = _kinds(bi)
    assert {r["metric"] for r in rows} == {code for code, kind in kinds.items() if kind in ("count", "rate", "working_days")}
    for row in rows:
        value, numerator, denominator = _year_row(bi, "current", row["scope"], row["metric"], row["year"])
        kind = kinds[row["metric"]]
        _exact(row["value"], value)
        _exact(row["numerator"], numerator)
        _exact(row["denominator"], denominator)
        _assert_shows(row["text"], value, kind)
        _assert_previous(bi, row, "current", kind, value)


UNIT_CELLS = """() => Array.from(document.querySelectorAll('#unit-table tbody tr')).map((tr) => ({
  scope: tr.dataset.scope,
  cells: Array.from(tr.cells).map((td) => ({
    metric: td.dataset.metric, value: td.dataset.value, max: td.dataset.max || null, code: td.dataset.code || null,
    text: td.childNodes.length ? td.childNodes[0].textContent.trim() : '',
  })),
}))"""


def test_every_number_of_the_unit_table_is_the_bi_files(page, bi):
    rows = page.evaluate(UNIT_CELLS)
    alive = dict(bi.execute("SELECT agency_code, agency_name FROM mart.units WHERE alive_at_as_of").fetchall())
    assert sorted(r["scope"] for r in rows) == sorted(alive) == sorted(TODAYS_UNITS)
    kinds = _kinds(bi)
    metrics = {
        (scope, code): value
        for scope, code, value in bi.execute(
            "SELECT scope_code, metric_code, value FROM mart.unit_metrics_current WHERE period_type = 'year' "
            "AND ? BETWEEN period_start AND period_end", [MERGED_AS_OF]
        ).fetchall()
    }
    index = {
        scope: (score, points, maximum)
        for scope, score, points, maximum in bi.execute(
            "SELECT scope_code, score_100, points, max_points FROM mart.index_766 WHERE period_type = 'year' "
            "AND indicator_code = 'total' AND ? BETWEEN period_start AND period_end", [MERGED_AS_OF]
        ).fetchall()
    }
    checked = 0
    for row in rows:
        scope = row["scope"]
        for cell in row["cells"]:
            metric = cell["metric"]
            if metric == "agency_name":
                assert (cell["text"], cell["code"]) == (alive[scope], scope)
            elif metric in kinds:
                value = metrics[(scope, metric)]
                _exact(cell["value"], value)
                _assert_shows(cell["text"], value, kinds[metric])
                checked += 1
            elif metric == "index_766_score_100":
                score = index.get(scope, (None,))[0]
                _exact(cell["value"], score)
                _assert_shows(cell["text"], score, "points")
                checked += 1
            elif metric == "index_766_points":
                points, maximum = index.get(scope, (None, None, None))[1:]
                _exact(cell["value"], points)
                _exact(cell["max"], maximum)
                if points is not None:  # the points over the covered maximum: 49.66 / 56
                    assert cell["text"] == f"{float(points):.2f} / {int(maximum)}", cell
                checked += 1
    assert checked >= len(rows) * 10


# ---------------------------------------------------------------------------------------------
# Sorting and searching the unit table


def _column(page: Page, metric: str) -> int:
    return page.evaluate(
        "(metric) => Array.from(document.querySelector('#unit-table tbody tr').cells)"
        ".findIndex((td) => td.dataset.metric === metric)",
        metric,
    )


def _sort_keys(page: Page, column: int) -> list[str]:
    return page.evaluate(
        "(column) => Array.from(document.querySelectorAll('#unit-table tbody tr'))"
        ".map((tr) => tr.cells[column].dataset.sort)",
        column,
    )


def test_a_click_on_a_header_sorts_the_unit_table(page):
    column = _column(page, "online_rate")
    header = page.locator(f'#unit-table thead button[data-col="{column}"]')
    header.click()
    keys = _sort_keys(page, column)
    numbers = [float(k) for k in keys if k != ""]
    assert numbers == sorted(numbers) and len(numbers) >= 4
    assert keys[len(numbers):] == [""] * (len(keys) - len(numbers))  # no value: last
    assert page.locator(f'#unit-table thead th:nth-child({column + 1})').get_attribute("aria-sort") == "ascending"
    header.click()
    keys = _sort_keys(page, column)
    numbers = [float(k) for k in keys if k != ""]
    assert numbers == sorted(numbers, reverse=True) and keys[len(numbers):] == [""] * (len(keys) - len(numbers))
    assert page.locator(f'#unit-table thead th:nth-child({column + 1})').get_attribute("aria-sort") == "descending"
    # by name, in Vietnamese order
    names = _column(page, "agency_name")
    page.locator(f'#unit-table thead button[data-col="{names}"]').click()
    assert page.evaluate(
        "(column) => { const keys = Array.from(document.querySelectorAll('#unit-table tbody tr'))"
        ".map((tr) => tr.cells[column].dataset.sort);"
        " return keys.every((key, i) => i === 0 || keys[i - 1].localeCompare(key, 'vi') <= 0); }",
        names,
    )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "d").lower()


def _visible_units(page: Page) -> set[str]:
    return set(page.evaluate(
        "() => Array.from(document.querySelectorAll('#unit-table tbody tr')).filter((tr) => !tr.hidden"
        " && tr.getBoundingClientRect().height > 0).map((tr) => tr.dataset.scope)"
    ))


def test_typing_in_the_search_box_keeps_the_matching_units(page):
    searchable = dict(page.evaluate(
        "() => Array.from(document.querySelectorAll('#unit-table tbody tr')).map((tr) => [tr.dataset.scope, tr.dataset.search])"
    ))
    search = page.locator("#unit-search")
    for typed in ("phuong", "Sở Tư", "nha trang"):
        search.fill("")
        search.press_sequentially(typed)
        expected = {scope for scope, text in searchable.items() if all(w in _fold(text) for w in _fold(typed).split())}
        assert expected and expected != set(searchable), typed
        assert _visible_units(page) == expected, typed
        assert page.locator("#unit-count").text_content() == f"{len(expected)} / {len(searchable)}"
    assert _visible_units(page) >= {"NW"}  # "nha trang": the ward formed from the city's wards
    search.fill("")
    search.dispatch_event("input")
    assert _visible_units(page) == set(searchable)
