"""The readable scorecard: Markdown, terminal text and the offline HTML page; on a merged
province, today's units with their restated history, and which tree each number comes from
(docs/spec §4.7); the plan year first and past plans folded, the comparison with the previous
year, the national ranks, the unit table and the "about the data" box. The page in a real
browser: reform_pipeline_tests/publish/test_page_in_browser.py."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from reform_pipeline.metadata import COLUMN_DESCRIPTIONS, table_metadata
from reform_pipeline.publish.report import (
    format_target,
    format_value,
    ranked_units,
    scorecard_markdown,
    scorecard_text,
    weakest_kpis,
    write_scorecard_html,
)
from reform_pipeline.publish.report_format import (
    format_built_at,
    format_change,
    format_rank,
    fraction,
)
from reform_pipeline.publish.report_model import (
    PlanKpi,
    compare,
    plan_year,
    weakest,
    worst_units,
)

from .report_scenario import (
    AS_OF,
    ENDED_UNITS,
    HISTORY_FILES,
    HISTORY_TARGETS,
    MERGED_AS_OF,
    TARGET_PLANS,
    TODAYS_UNITS,
    build_merged_province,
)

TODAY = "Cây đơn vị hiện nay (số liệu quy đổi)"
AS_WAS = "Cây đơn vị tại thời điểm tiếp nhận"


def test_formatting_is_for_humans():
    # by the kind of the metric in the catalogue (meta.metric_catalogue)
    assert format_value("rate", 0.873) == "87.3 %"
    assert format_value("count", 12345) == "12,345"
    assert format_value("working_days", 4.25) == "4.2 ngày"
    assert format_value("rate", None) == "—"
    assert format_target("rate", ">", 0.84) == "> 84 %"
    assert format_target("rate", ">=", 0.3) == ">= 30 %"
    assert format_target("rate", ">=", 1.0) == ">= 100 %"
    assert format_target("working_days", "<=", 5) == "<= 5 ngày"
    # a rate below 0 (internal_units_reduction when units were added) with a typographic minus
    assert format_value("rate", -0.05) == "\u22125.0 %"
    assert format_value("rate", -0.00001) == "0.0 %"  # no sign on what rounds to 0
    assert format_value("count", -1234) == "\u22121,234"
    assert format_value("working_days", -0.5) == "\u22120.5 ngày"
    assert format_target("rate", ">=", -0.05) == ">= \u22125 %"
    assert fraction(-1, 4) == "\u22121 / 4"
    # a national rank out of the provinces ranked (docs/spec §2.7)
    assert format_rank(10, 63) == "hạng 10/63" and format_rank(None, 63) == "—"
    assert format_target("rank", "<=", 25) == "<= hạng 25"
    # a change against the previous year: percentage points for a rate, always signed
    assert format_change("rate", 0.0123) == "+1.2 điểm %"
    assert format_change("rate", -0.05) == "\u22125.0 điểm %"
    assert format_change("rate", 0.00001) == "0.0 điểm %"
    assert format_change("count", 1234) == "+1,234"
    assert format_change("working_days", -0.44) == "\u22120.4 ngày"
    assert format_change("rate", None) == "—"
    # a build time in Vietnam, with its offset
    moment = dt.datetime(2026, 12, 6, 0, 15, tzinfo=dt.timezone.utc)
    assert format_built_at(moment) == "2026-12-06 07:15 (UTC+07:00)"


def test_markdown_has_every_target_row_and_bilingual_headers(scored):
    text = scorecard_markdown(scored)
    header, rule, *body = text.splitlines()
    assert "Chỉ tiêu / KPI" in header and "Mục tiêu / Target" in header
    assert "Trạng thái" in header or "Đánh giá / Status" in header
    assert "Cây đơn vị / Tree" in header
    table_rows = [line for line in body if line.startswith("| ")]
    assert len(table_rows) == len(TARGET_PLANS)
    for plan_id, scope, year, kpi, _, _ in TARGET_PLANS:
        shown = html.escape(plan_id, quote=False)  # markup from data is escaped
        assert any(shown in row and kpi in row and str(year) in row for row in table_rows), plan_id
    # nobody ended: every value on today's units; the index on the tree as it was
    assert all(row.endswith(f"| {TODAY} / today's units (restated) |") for row in table_rows)
    assert "5 đơn vị đang hoạt động tại ngày 2025-03-31, 0 đơn vị đã kết thúc" in text
    assert f"Chỉ số 766 của Tỉnh Khánh Hòa ({AS_WAS.lower()})" in text
    assert "Chưa đạt / not met" in text
    assert "Không có số liệu / no data" in text  # the 2023 targets: year not published
    # the province's 766 score for the latest year and month
    assert "766" in text and "năm / year 2025" in text and "tháng / month 03/2025" in text


def test_text_table_has_every_target_row(scored):
    text = scorecard_text(scored)
    labels = dict(scored.execute("SELECT metric_code, label_vi FROM meta.metric_catalogue").fetchall())
    for plan_id, scope, year, kpi, comparator, _ in TARGET_PLANS:
        # the KPI by its catalogue label, never its code; the tree its value comes from
        assert any(
            plan_id in line and labels[kpi] in line and str(year) in line and line.endswith("hiện nay/today")
            for line in text.splitlines()
        ), plan_id
        assert kpi not in text
    assert "5 units alive at 2025-03-31, 0 units ended" in text
    assert "as of 2025-03-31" in text
    assert "> 90 %" in text  # satisfaction target of 2025
    assert "88.3 %" in text  # (85 + 88 + 92) / 300 year to date
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("Kế hoạch/Plan"))
    rule = lines[lines.index(header) + 1]
    assert set(rule.replace(" ", "")) == {"-"}
    # aligned: every table row as wide as the rule, counting characters
    for line in lines[lines.index(header) + 2 : lines.index(header) + 2 + len(TARGET_PLANS)]:
        assert len(line.rstrip()) <= len(rule)


def _target_rows(page: str) -> list[str]:
    """The rows of the targets tables, each with its data attributes."""
    return re.findall(r"<tr data-plan=.*?</tr>", page, flags=re.S)


def _visible_text(page: str) -> str:
    """What a reader sees: the page without its style, script, tags and attributes."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_html_page_is_self_contained_and_lists_every_target(scored, tmp_path):
    path = write_scorecard_html(scored, tmp_path / "bi" / "scorecard.html", AS_OF)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in page and '<meta charset="utf-8">' in page
    # every target row, escaped where the data holds markup
    rows = _target_rows(page)
    assert len(rows) == len(TARGET_PLANS)
    for plan_id, *_ in TARGET_PLANS[:-1]:
        assert plan_id in page
    assert "&lt;b&gt;Kế hoạch &amp; thử&lt;/b&gt;" in page and "<b>Kế hoạch" not in page
    assert "Đạt / met" in page and "Chưa đạt / not met" in page and "Không có số liệu / no data" in page
    # nothing from the network: no URL, no src, no font; the links are anchors in the page and
    # the downloads written next to it; one inline script (the unit table's sorting and search)
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""\bsrc\s*=""", page, flags=re.I)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.startswith("#") or h in ("scorecard.csv", "units.csv", "scorecard.xlsx") for h in hrefs)
    assert {"scorecard.csv", "units.csv", "scorecard.xlsx"} <= set(hrefs) and "Tải về" in page
    assert page.lower().count("<script") == 1 and "<script>" in page
    assert "@import" not in page and "url(" not in page
    # the 2025 plan first; the 2023 plan (past) folded below it
    current, folded = page.split('<details class="plan-past"', 1)
    assert "Kế hoạch năm 2025" in current and all('data-year="2025"' in r for r in _target_rows(current))
    assert 'data-year="2023"' in folded.split("</details>", 1)[0]
    assert "Kế hoạch năm 2023 (đã qua)" in folded
    # a monthly chart for the 2025 targets, not for the catalogue metric (a value, not a trend)
    assert page.count('<svg width="348"') == 2
    assert '<div class="card value-card" data-metric="declared_info_reduction">' in page
    # the header, the 766 index by group, and the ranking section
    assert "Tỉnh Khánh Hòa" in page and "2025-03-31" in page
    for group in ("Tiến độ giải quyết", "Thanh toán trực tuyến", "Mức độ hài lòng"):
        assert group in page
    assert "Đơn vị cần cải thiện" in page
    # written atomically: no temporary file left behind
    assert sorted(p.name for p in path.parent.iterdir()) == ["scorecard.html"]


def test_the_page_shows_labels_never_metric_codes(scored, tmp_path):
    page = write_scorecard_html(scored, tmp_path / "page.html", AS_OF).read_text(encoding="utf-8")
    text = _visible_text(page)
    codes = [c for (c,) in scored.execute("SELECT metric_code FROM meta.metric_catalogue").fetchall()]
    codes += [c for (c,) in scored.execute("SELECT target_code FROM meta.ranking_indices").fetchall()]
    assert [code for code in codes if re.search(rf"\b{code}\b", text)] == []
    # the codes are in the data attributes, for tracing
    assert 'data-metric="satisfaction_rate"' in page


def test_the_766_section_says_scores_compare_only_covered_points(scored, tmp_path):
    page = write_scorecard_html(scored, tmp_path / "page.html", AS_OF).read_text(encoding="utf-8")
    total = scored.execute(
        "SELECT points, max_points FROM score.index_766 WHERE scope_code = 'KH' AND period_type = 'year' "
        "AND indicator_code = 'total'"
    ).fetchone()
    shown = f"{float(total[0]):.2f} / {total[1]}"
    index = page.split('id="index766"', 1)[1].split("</section>", 1)[0]
    assert f"{shown} điểm được đo / covered points" in index
    assert "Scores compare only covered points" in index and "46 / 48 is not 46 / 56" in index


def test_html_is_rewritten_whole(scored, tmp_path):
    path = tmp_path / "scorecard.html"
    path.write_text("old page", encoding="utf-8")
    write_scorecard_html(scored, path, AS_OF)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_weakest_kpis_are_the_furthest_from_target(scored):
    weak = weakest_kpis(scored, 2025)
    # online payment 45 % vs > 70 % is further (relatively) than satisfaction 88.3 % vs > 90 %;
    # the declared-information cut is met (30 % ≥ 20 %) and comes last
    assert [(k.scope_code, k.kpi_code) for k in weak] == [
        ("KH", "online_payment_rate"),
        ("KH", "satisfaction_rate"),
        ("KH", "declared_info_reduction"),
    ]


def test_ranking_skips_tiny_denominators_and_puts_the_worst_first(scored):
    units = ranked_units(scored, "KH", "online_payment_rate", ">", 2025, min_denominator=30)
    # NT-PS has 6 dossiers with a fee: left out; worst first among the others
    assert [u["scope_code"] for u in units] == ["NT-VH", "NT", "SO-TP"]
    assert units[0]["denominator"] == 60
    lower_is_better = ranked_units(scored, "KH", "online_payment_rate", "<", 2025, min_denominator=30)
    assert [u["scope_code"] for u in lower_is_better] == ["SO-TP", "NT", "NT-VH"]
    within_nha_trang = ranked_units(scored, "NT", "online_payment_rate", ">", 2025, min_denominator=1)
    assert [u["scope_code"] for u in within_nha_trang] == ["NT-VH", "NT-PS"]


def test_labels_kinds_and_groups_come_from_the_metric_catalogue(scored, tmp_path):
    page = write_scorecard_html(scored, tmp_path / "before.html", AS_OF).read_text(encoding="utf-8")
    assert "Tỷ lệ hài lòng (Quyết định 766)" in page and "Hài lòng theo hồ sơ" in page
    scored.execute(
        "UPDATE meta.metric_catalogue SET label_vi = 'Chỉ số hài lòng thử', label_en = 'Trial satisfaction' "
        "WHERE metric_code = 'satisfaction_rate'"
    )
    scored.execute(
        "UPDATE meta.index_766_indicators SET label_en = 'Trial dossier satisfaction', "
        "indicator_group_en = 'Trial happiness' WHERE indicator_code = 'satisfaction_dossier'"
    )
    # a count is shown as a count, whatever its code
    scored.execute("UPDATE meta.metric_catalogue SET kind = 'count' WHERE metric_code = 'online_payment_rate'")
    page = write_scorecard_html(scored, tmp_path / "after.html", AS_OF).read_text(encoding="utf-8")
    assert "Tỷ lệ hài lòng (Quyết định 766)" not in page
    assert 'Chỉ số hài lòng thử <span class="en">/ Trial satisfaction</span>' in page
    assert "Trial dossier satisfaction" in page and "Trial happiness" in page
    assert "&gt; 70 %" not in page and "&gt; 1" in page  # the online-payment target as a count
    markdown = scorecard_markdown(scored)
    assert "Chỉ số hài lòng thử / Trial satisfaction (`satisfaction_rate`)" in markdown


def test_the_weakest_rule_picks_the_plan_year_and_the_largest_relative_shortfall():
    def kpi(year, scope, code, comparator, target, value):
        return PlanKpi("plan", scope, year, code, comparator, target, value, 1, 100, f"name {scope}")

    kpis = [
        kpi(2024, "A", "old_rate", ">", 0.5, 0.0),
        kpi(2025, "A", "on_time_rate", ">=", 0.9, 0.81),  # 10 % short
        kpi(2025, "A", "online_rate", ">", 0.5, 0.25),  # 50 % short
        kpi(2025, "A", "online_rate", ">", 0.1, 0.0),  # the same KPI targeted again: the first counts
        kpi(2025, "B", "processing_wd_avg", "<=", 5, 6),  # lower is better: 20 % over
        kpi(2025, "B", "late_rate", "<", 0, 0.02),  # a target of 0: the plain difference
        kpi(2025, "B", "satisfaction_rate", ">", 0.8, 0.9),  # met: last, by its margin
        kpi(2025, "C", "e_result_rate", ">", 0.8, None),  # no value: cannot be ranked
    ]
    ranked = weakest(kpis, 2025, limit=10)
    assert [(k.scope_code, k.kpi_code) for k in ranked] == [
        ("A", "online_rate"),
        ("B", "processing_wd_avg"),
        ("A", "on_time_rate"),
        ("B", "late_rate"),
        ("B", "satisfaction_rate"),
    ]
    assert ranked[0].shortfall == pytest.approx(0.5) and ranked[0].scope_name == "name A"
    assert ranked[3].shortfall == pytest.approx(0.02)
    assert [k.kpi_code for k in weakest(kpis, 2025)] == ["online_rate", "processing_wd_avg", "on_time_rate"]
    # no targets for the year: the latest plan year before it, else the latest plan year
    assert [k.kpi_code for k in weakest(kpis, 2024)] == ["old_rate"]
    assert [k.kpi_code for k in weakest(kpis, 2023, limit=1)] == ["online_rate"]
    assert len(weakest(kpis, 2026, limit=10)) == 5
    assert weakest([], 2025) == []


def test_the_worst_units_leave_out_tiny_denominators_and_break_ties_by_size():
    def unit(code, value, denominator):
        return {"scope_code": code, "value": value, "denominator": denominator}

    units = [
        unit("A", 0.5, 40),
        unit("B", 0.2, 29),  # below the minimum denominator
        unit("C", 0.5, 90),  # ties with A: the larger denominator first
        unit("D", 0.7, 30),
        unit("E", None, 100),  # no value
        unit("F", 0.1, None),  # a count: no denominator
        unit("G", 0.5, 90),  # ties with C: by code
    ]
    assert [u["scope_code"] for u in worst_units(units, ">", min_denominator=30)] == ["C", "G", "A", "D"]
    assert [u["scope_code"] for u in worst_units(units, "<=", min_denominator=30)] == ["D", "C", "G", "A"]
    assert [u["scope_code"] for u in worst_units(units, ">", min_denominator=1, limit=2)] == ["B", "C"]


def test_data_in_the_page_and_its_charts_is_escaped_by_the_template(scored, tmp_path):
    scored.execute(
        "UPDATE meta.metric_catalogue SET label_vi = '<i>Hài lòng</i>', label_en = 'Sat & \"fun\"' "
        "WHERE metric_code = 'satisfaction_rate'"
    )
    page = write_scorecard_html(scored, tmp_path / "page.html", AS_OF).read_text(encoding="utf-8")
    assert "<i>" not in page
    assert "<title>&lt;i&gt;Hài lòng&lt;/i&gt; / Sat &amp; &#34;fun&#34; — 2025</title>" in page  # SVG title
    assert 'aria-label="&lt;i&gt;Hài lòng&lt;/i&gt; / Sat &amp; &#34;fun&#34; — 2025"' in page
    # the contract is cited as docs/spec
    assert "docs/spec §4.5" in page and "SPEC" + " §" not in page  # spelled in two parts: see test_contract_citations


def test_ranked_units_show_their_value_in_the_kind_of_the_kpi(scored, tmp_path):
    # a KPI in working days: its units in days too, not as a percentage
    scored.execute("UPDATE meta.metric_catalogue SET kind = 'working_days' WHERE metric_code = 'satisfaction_rate'")
    page = write_scorecard_html(scored, tmp_path / "page.html", AS_OF).read_text(encoding="utf-8")
    ranking = page.split("Đơn vị cần cải thiện", 1)[1]
    block = next(b for b in ranking.split("<h3>") if b.startswith("Tỷ lệ hài lòng"))
    values = re.findall(r'<td class="num">([^<]*)</td>\s*<td class="num">[^<]*/', block)
    assert values == ["0.6 ngày", "0.9 ngày", "0.9 ngày"]  # NT-VH 37/60, SO-TP 66/75, NT 162/180


@pytest.mark.parametrize("table", ["model.unit_metrics", "score.index_766", "score.scorecard"])
def test_the_dagster_column_schema_describes_every_column(scored, table):
    schema = table_metadata(scored, table)["dagster/column_schema"]
    assert [column.name for column in schema.columns if not column.description] == []
    assert set(COLUMN_DESCRIPTIONS[table]) == {column.name for column in schema.columns}


# ---------------------------------------------------------------------------------------------
# A merged province (docs/spec §2.3, §2.6, §4.7), built with the model stage itself
# (report_scenario.build_merged_province): KH is the province as it is now; NT merged into it on
# 2025-07-01; KH's district D1 and its wards W1, W2 ended on 2025-06-30 (W1, W2 into the new ward
# NW), NT's ward N1 into the new ward NPR; the department SO gained a division on 2025-05-01.


@pytest.fixture
def merged(tmp_path):
    con = build_merged_province(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


@pytest.fixture
def history(tmp_path):
    """The merged province with every month of 2024, the 2025 plan with rank targets, a past
    plan, the national rankings and the run's records of its input files."""
    con = build_merged_province(tmp_path / "warehouse.duckdb", history=True)
    yield con
    con.close()


def _current(con, scope, period_type, period_start, metric_code):
    return con.execute(
        "SELECT numerator, denominator, value FROM model.unit_metrics_current WHERE scope_code = ? "
        "AND period_type = ? AND period_start = ? AND metric_code = ?",
        [scope, period_type, period_start, metric_code],
    ).fetchone()


def test_a_merged_province_lists_only_todays_units_with_their_restated_figures(merged, tmp_path):
    page = write_scorecard_html(merged, tmp_path / "page.html", MERGED_AS_OF, min_denominator=1).read_text(
        encoding="utf-8"
    )
    ranking = page.split("Đơn vị cần cải thiện", 1)[1]
    listed = re.findall(r'<td>[^<]*<span class="en">\(([^)]+)\)</span></td>', ranking)
    # the online rate of KH: the units below it in today's tree, worst first; the ended district,
    # its wards, the merged province and its ward are not listed (their dossiers are: restated)
    kh_block = next(b for b in ranking.split("<h3>") if "Tỷ lệ hồ sơ trực tuyến" in b and "Tỉnh Khánh Hòa:" in b)
    kh_listed = re.findall(r'<td>[^<]*<span class="en">\(([^)]+)\)</span></td>', kh_block)
    assert kh_listed == ["SO-A", "NW", "NPR", "SO"]  # SO-B received nothing: no value
    assert set(listed) <= TODAYS_UNITS and not set(listed) & ENDED_UNITS
    # the new ward's figures restated on today's tree: the year with W1's and W2's March dossiers
    year = _current(merged, "NW", "year", dt.date(2025, 1, 1), "online_rate")
    assert year[:2] == (5, 11)
    row = kh_block.split("(NW)", 1)[1].split("</tr>", 1)[0]
    assert f"{year[2] * 100:.1f} %" in row and fraction(*year[:2]) in row
    # … and its target's monthly chart has a March bar, from before the ward existed
    march = _current(merged, "NW", "month", dt.date(2025, 3, 1), "online_rate")
    assert march[:2] == (1, 6)
    assert merged.execute(
        "SELECT count(*) FROM model.unit_metrics WHERE scope_code = 'NW' AND period_type = 'month' "
        "AND period_start < DATE '2025-07-01'"
    ).fetchone() == (0,)  # on the tree as it was, NW has no month before July
    card = next(c for c in page.split('<div class="card"')[1:] if "Phường Nha Trang · 2025" in c)
    assert f"T3/2025: {march[2] * 100:.1f} % (1 / 6)" in card and TODAY in card
    # the ended district's own target reads the tree as it was, and says so; the others today's
    rows = {
        re.search(r'<td data-label="Phạm vi / Scope">([^<]*)</td>', r)[1]: r for r in _target_rows(page)
    }
    assert set(rows) == {"Tỉnh Khánh Hòa", "Phường Nha Trang", "Sở Tư pháp", "Thành phố Nha Trang"}
    assert AS_WAS in rows["Thành phố Nha Trang"] and TODAY not in rows["Thành phố Nha Trang"]
    assert all(TODAY in r for name, r in rows.items() if name != "Thành phố Nha Trang")
    assert "Đơn vị đã kết thúc, không còn trong cây đơn vị hiện nay" in ranking  # D1: nothing ranked
    # the about-the-units line, from model.units
    alive, ended = len(TODAYS_UNITS), len(ENDED_UNITS)
    assert f"{alive} đơn vị đang hoạt động tại ngày 2025-09-30, {ended} đơn vị đã kết thúc" in page


def test_a_merged_province_labels_the_tree_of_every_number_block(merged, tmp_path):
    page = write_scorecard_html(merged, tmp_path / "page.html", MERGED_AS_OF, min_denominator=1).read_text(
        encoding="utf-8"
    )
    section = {
        name: page.split(f'<section id="{name}"', 1)[1].split("</section>", 1)[0]
        for name in ("plan", "index766", "improve")
    }
    targets, index, ranking = section["plan"].split("<h3>", 1)[0], section["index766"], section["improve"]
    trends = section["plan"].split("Diễn biến theo tháng", 1)[1]
    assert TODAY in targets and AS_WAS in targets
    assert len(re.findall(r'<div class="card[ "]', trends)) == trends.count('<span class="tree ')
    # the 766 index on the tree as it was; the dossiers it covers beside today's tree: NT's ward
    # N1 received 3 in March, which only today's province counts
    assert AS_WAS in index.split('<p class="note">', 1)[0]
    as_was = merged.execute(
        "SELECT numerator FROM model.unit_metrics WHERE scope_code = 'KH' AND period_type = 'year' "
        "AND metric_code = 'dossiers_received'"
    ).fetchone()[0]
    today = _current(merged, "KH", "year", dt.date(2025, 1, 1), "dossiers_received")[0]
    assert (as_was, today) == (18, 21)
    assert re.search(rf"<strong>{as_was}</strong> <span class=\"tree tree-as_was\">.*<strong>{today}</strong> "
                     r"<span class=\"tree tree-current\">", index)
    assert TODAY in ranking.split('<p class="note">', 1)[0]
    # labels from the catalogue, and a negative rate with a minus sign: SO had 1 internal unit on
    # 1 January and 2 at the as-of date
    assert _current(merged, "SO", "year", dt.date(2025, 1, 1), "internal_units_reduction") == (-1, 1, -1.0)
    assert "Tỷ lệ giảm đầu mối" in targets and "\u2212100.0 %" in targets and "-100.0 %" not in page
    assert "\u22121 / 1" in targets
    # the Markdown and the terminal table say it too
    markdown = scorecard_markdown(merged)
    d1 = next(line for line in markdown.splitlines() if "Thành phố Nha Trang" in line)
    assert d1.endswith(f"| {AS_WAS} / tree as it was |")
    assert "Tỷ lệ giảm đầu mối / Fewer internal units (`internal_units_reduction`)" in markdown
    assert "6 units alive at 2025-09-30, 5 units ended" in markdown
    text = scorecard_text(merged)
    so = next(line for line in text.splitlines() if "Tỷ lệ giảm đầu mối" in line)
    assert "\u2212100.0 %" in so and so.endswith("hiện nay/today")
    assert next(line for line in text.splitlines() if "Thành phố Nha Trang" in line).endswith("khi tiếp nhận/as was")


# ---------------------------------------------------------------------------------------------
# The plan year, the previous year, the national ranks, every unit and the data (the merged
# province with its 2024 history, as-of 2025-09-30)


def test_the_plan_year_is_the_as_of_year_else_the_latest_before_it():
    assert plan_year([2023, 2025], 2025) == 2025
    assert plan_year([2023, 2025], 2026) == 2025  # no 2026 targets yet: the 2025 plan
    assert plan_year([2023, 2027], 2025) == 2023
    assert plan_year([2027, 2028], 2025) == 2028
    assert plan_year([], 2025) is None


def _span_row(months=12, span_months=9, year=(0.5, 50, 100), span=(30, 60), end_month=(None, None, None),
              span_end=dt.date(2024, 9, 30)):
    return {
        "months": months, "span_months": span_months, "span_end": span_end,
        "year_value": year[0], "year_numerator": year[1], "year_denominator": year[2],
        "span_numerator": span[0], "span_denominator": span[1],
        "end_month_value": end_month[0], "end_month_numerator": end_month[1], "end_month_denominator": end_month[2],
    }


def test_the_previous_year_is_compared_only_where_it_is_exact():
    sep_30 = dt.date(2025, 9, 30)
    # dossiers received: the months of the previous year add up to the same span
    c = compare("online_rate", "rate", 0.6, 2025, sep_30, {"online_rate": _span_row()}, ">=")
    assert (c.method, c.previous, c.numerator, c.denominator) == ("span", 0.5, 30, 60)
    assert c.change == pytest.approx(0.1) and c.shown_change == "+10.0 điểm %" and c.better is True
    assert c.label == ("cùng kỳ 01/01–30/09/2024", "same period, 1 Jan–30 Sep 2024")
    count = compare("dossiers_received", "count", 70, 2025, sep_30,
                    {"dossiers_received": _span_row(span=(60, None))})
    assert (count.previous, count.change, count.better) == (60.0, 10.0, None)
    # a month missing at the start of the previous year: no comparison, never a partial one
    missing = compare("online_rate", "rate", 0.6, 2025, sep_30, {"online_rate": _span_row(months=10, span_months=7)})
    assert (missing.method, missing.change) == ("none", None)
    # handled dossiers and processing times do not add up over months: the whole previous year,
    # for reference only, no change
    ref = compare("processing_wd_avg", "working_days", 3.5, 2025, sep_30,
                  {"processing_wd_avg": _span_row(year=(3.4, None, 21))}, "<=")
    assert (ref.method, ref.previous, ref.change, ref.shown_change) == ("reference", 3.4, None, "—")
    assert ref.label == ("cả năm 2024, để tham khảo", "whole year 2024, for reference")
    # a whole year (the as-of date past its end) against the whole previous year: every metric
    whole = compare("processing_wd_avg", "working_days", 3.0, 2025, dt.date(2025, 12, 31),
                    {"processing_wd_avg": _span_row(year=(3.4, None, 21))}, "<=")
    assert (whole.method, whole.label[0], whole.better) == ("year", "năm 2024", True)
    assert whole.change == pytest.approx(-0.4)
    # units on 1 January against units at the end of month m: the previous year's month-m row
    units = compare("internal_units_reduction", "rate", 0.2, 2025, sep_30,
                    {"internal_units_reduction": _span_row(end_month=(0.1, 1, 10))}, ">=")
    assert (units.method, units.previous, units.numerator, units.denominator) == ("span", 0.1, 1, 10)
    # the catalogue has no history; a rank is of its own year
    assert compare("declared_info_reduction", "rate", 0.2, 2025, sep_30, {}).method == "none"
    assert compare("rank_par", "rank", 10, 2025, sep_30, {}).method == "none"


def _attributes(page: str, pattern: str) -> list[dict[str, str]]:
    """The data attributes of every tag matching ``pattern`` (a regex on the tag's start)."""
    tags = re.findall(rf"<(?:{pattern})[^>]*>", page)
    return [{k: html.unescape(v) for k, v in re.findall(r'data-([\w-]+)="([^"]*)"', t)} for t in tags]


def test_key_indicators_compare_the_same_period_of_the_previous_year_on_todays_tree(history, tmp_path):
    page = write_scorecard_html(history, tmp_path / "page.html", MERGED_AS_OF, min_denominator=1).read_text(
        encoding="utf-8"
    )
    kpis = page.split('<section id="kpis"', 1)[1].split("</section>", 1)[0]
    assert "Chỉ số chính năm 2025" in kpis and TODAY in kpis
    # processing time among them: average, median, 90th percentile
    for label in ("Thời gian giải quyết trung bình", "Thời gian giải quyết trung vị", "Thời gian giải quyết phân vị 90"):
        assert label in kpis
    rows = {r["metric"]: r for r in _attributes(kpis, "tr") if "metric" in r}
    values = _attributes(kpis, r'td class="num value"')
    previous = _attributes(kpis, r'td class="num previous"')
    changes = _attributes(kpis, r'td data-label="Thay đổi / Change"')
    assert len(rows) == len(values) == len(previous) == len(changes) == 18
    by_metric = dict(zip(rows, zip(values, previous, changes)))
    # online submissions: January–September 2025 against January–September 2024, summed by month
    months = history.execute(
        "SELECT sum(numerator), sum(denominator) FROM model.unit_metrics_current WHERE scope_code = 'KH' "
        "AND metric_code = 'online_rate' AND period_type = 'month' AND period_start BETWEEN '2024-01-01' AND '2024-09-01'"
    ).fetchone()
    year = _current(history, "KH", "year", dt.date(2025, 1, 1), "online_rate")
    value, before, change = by_metric["online_rate"]
    assert float(value["value"]) == year[2] and before["compared"] == "span"
    assert (int(before["previous-numerator"]), int(before["previous-denominator"])) == months
    assert float(before["previous"]) == months[0] / months[1]
    assert float(change["change"]) == pytest.approx(year[2] - months[0] / months[1])
    # the on-time rate (handled dossiers): the whole of 2024 for reference, no change
    value, before, change = by_metric["on_time_rate"]
    whole = _current(history, "KH", "year", dt.date(2024, 1, 1), "on_time_rate")
    assert before["compared"] == "reference" and float(before["previous"]) == whole[2] and change["change"] == ""
    assert by_metric["declared_info_reduction"][1]["compared"] == "none"


def test_the_plan_shows_its_national_ranks_with_their_publisher(history, tmp_path):
    page = write_scorecard_html(history, tmp_path / "page.html", MERGED_AS_OF, min_denominator=1).read_text(
        encoding="utf-8"
    )
    rows = {re.search(r'data-metric="([^"]+)"', r)[1]: r for r in _target_rows(page) if 'data-year="2025"' in r}
    assert len(rows) == len([t for t in HISTORY_TARGETS if t[2] == 2025])
    # PAR 2025: 12th of 34, met, with who published it
    assert "hạng 12/34" in rows["rank_par"] and "Đạt / met" in rows["rank_par"]
    assert "Bộ Nội vụ, PAR Index 2025" in rows["rank_par"]
    # PAPI 2025 not published: no data, and the latest published rank beside it, with its year,
    # never counted as the target's value
    papi = rows["rank_papi"]
    assert 'data-status="no_data"' in papi and 'data-value=""' in papi
    assert 'data-latest-year="2023"' in papi and "hạng 8/61" in papi and "không tính cho chỉ tiêu" in papi
    # PCI: its latest row has a score but no rank
    assert "67.65 điểm, không công bố thứ hạng" in rows["rank_pci"]
    # the national rankings table, every row with its source
    rankings = page.split('<section id="rankings"', 1)[1].split("</section>", 1)[0]
    assert rankings.count("<tr data-index=") == 4
    for source in ("Bộ Nội vụ, PAR Index 2024", "VCCI, Báo cáo PCI 2023", "UNDP và các đối tác, Báo cáo PAPI 2023"):
        assert source in rankings
    assert "hạng 10/63" in rankings and "không công bố / not published" in rankings
    # no monthly chart for a rank, nor for the catalogue metrics and the internal units
    charted = re.findall(r'<div class="card" data-metric="([^"]+)"', page)
    assert sorted(charted) == ["online_payment_rate", "online_rate", "processing_wd_avg", "satisfaction_rate"]
    # the 2024 plan of the district that ended: folded below, on the tree as it was
    past = page.split('<details class="plan-past" data-year="2024">', 1)[1].split("</details>", 1)[0]
    assert past.count("<tr data-plan=") == 2 and AS_WAS in past


def test_every_unit_of_todays_tree_is_in_the_unit_table(history, tmp_path):
    page = write_scorecard_html(history, tmp_path / "page.html", MERGED_AS_OF, min_denominator=1).read_text(
        encoding="utf-8"
    )
    table = page.split('<table id="unit-table">', 1)[1].split("</table>", 1)[0]
    assert set(re.findall(r'<tr data-scope="([^"]+)"', table)) == TODAYS_UNITS
    # the 766 score with the covered maximum beside it
    total = history.execute(
        "SELECT points, max_points FROM score.index_766 WHERE scope_code = 'KH' AND period_type = 'year' "
        "AND indicator_code = 'total' AND period_start = '2025-01-01'"
    ).fetchone()
    kh = table.split('<tr data-scope="KH"', 1)[1].split("</tr>", 1)[0]
    assert f"{float(total[0]):.2f} / {total[1]}" in kh and f'data-max="{total[1]}"' in kh


def test_the_about_box_says_what_was_read_and_set_aside(history, tmp_path):
    built = dt.datetime(2025, 10, 1, 1, 30, tzinfo=dt.timezone.utc)
    page = write_scorecard_html(
        history, tmp_path / "page.html", MERGED_AS_OF, min_denominator=1, built_at=built
    ).read_text(encoding="utf-8")
    about = page.split('<section id="about"', 1)[1].split("</section>", 1)[0]
    assert "2025-09-30" in about and "ngày mới nhất trong dữ liệu" in about
    assert "2025-10-01 08:30 (UTC+07:00)" in about and "2025-10-01 08:30 (UTC+07:00)" in page.split("</header>")[0]
    assert f"{len(HISTORY_FILES)} tệp" in about
    assert f">{sum(f[4] for f in HISTORY_FILES):,}<" in about
    assert 'data-reason="bad_timestamp"' in about and "Ngày giờ không hợp lệ" in about
    # the files skipped or unreadable, by name and reason; no cell of any file
    assert "dossiers_20250101.zip" in about and "compressed file: unpack it into the raw folder" in about
    assert "dossiers_20250102.xlsx" in about and "Không đọc được" in about
    assert "agencies.csv" not in about  # ingested: counted, not listed
