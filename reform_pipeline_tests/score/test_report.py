"""The readable scorecard: Markdown, terminal text and the offline HTML page; on a merged
province, today's units with their restated history, and which tree each number comes from
(docs/spec §4.7)."""

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
from reform_pipeline.publish.report_format import fraction
from reform_pipeline.publish.report_model import PlanKpi, weakest, worst_units
from reform_pipeline.score.build import build_index_766, build_scorecard

from ..model.staging_tables import add_dossier, add_unit_change, build_model, new_warehouse
from .report_scenario import AS_OF, TARGET_PLANS

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


def test_html_page_is_self_contained_and_lists_every_target(scored, tmp_path):
    path = write_scorecard_html(scored, tmp_path / "bi" / "scorecard.html", AS_OF)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in page and '<meta charset="utf-8">' in page
    # every target row, escaped where the data holds markup, with the tree its value comes from
    rows = re.findall(r"<tr>.*?</tr>", page.split("<h2>", 2)[1], flags=re.S)
    assert len([r for r in rows if "<td>" in r]) == len(TARGET_PLANS)
    assert all(TODAY in r for r in rows if "<td>" in r)
    for plan_id, *_ in TARGET_PLANS[:-1]:
        assert plan_id in page
    assert "&lt;b&gt;Kế hoạch &amp; thử&lt;/b&gt;" in page and "<b>Kế hoạch" not in page
    assert "Đạt / met" in page and "Chưa đạt / not met" in page and "Không có số liệu / no data" in page
    # nothing from the network: no URL, no external src/href, no script, no web font
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""(src|href)\s*=""", page, flags=re.I)
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    # one inline SVG trend chart per target, with the target drawn as a line
    assert page.count("<svg") >= len(TARGET_PLANS)
    assert page.count('class="target"') == len(TARGET_PLANS)
    # the header, the 766 index by group, and the ranking section
    assert "Tỉnh Khánh Hòa" in page and "2025-03-31" in page
    for group in ("Tiến độ giải quyết", "Thanh toán trực tuyến", "Mức độ hài lòng"):
        assert group in page
    assert "Đơn vị cần cải thiện" in page
    # written atomically: no temporary file left behind
    assert sorted(p.name for p in path.parent.iterdir()) == ["scorecard.html"]


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
# receiving unit -> [(month, dossiers, of which online)]
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
    ("KH CCHC 2025", "KH", "online_rate", ">=", 0.9),
    ("KH CCHC 2025", "NW", "online_rate", ">=", 0.5),
    ("KH CCHC 2025", "SO", "internal_units_reduction", ">=", 0.1),
    ("KH CCHC 2025", "D1", "online_rate", ">=", 0.5),
]


@pytest.fixture
def merged(tmp_path):
    con = new_warehouse(tmp_path / "warehouse.duckdb", tree=MERGED_TREE)
    add_unit_change(con, "NT", "KH", JULY_1)
    add_unit_change(con, "W1", "NW", JULY_1)
    add_unit_change(con, "W2", "NW", JULY_1)
    add_unit_change(con, "N1", "NPR", JULY_1)
    for unit, months in MERGED_RECEIVED.items():
        for month, count, online in months:
            for n in range(count):
                add_dossier(
                    con, f"{unit}-{month}-{n}", agency_code=unit, procedure_code="P10",
                    channel=2 if n < online else 1,
                    received_at=f"2025-{month:02d}-{n + 4:02d} 09:00", finished_at=f"2025-{month:02d}-20 10:00",
                )
    con.execute(
        "CREATE TABLE staging.targets (plan_id VARCHAR, scope_code VARCHAR, year INTEGER, kpi_code VARCHAR, "
        "comparator VARCHAR, target DOUBLE, source VARCHAR)"
    )
    con.executemany(
        "INSERT INTO staging.targets VALUES (?, ?, 2025, ?, ?, ?, 'kế hoạch')", MERGED_TARGETS
    )
    build_model(con, MERGED_AS_OF)
    build_index_766(con, MERGED_AS_OF)
    build_scorecard(con, MERGED_AS_OF)
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
    card = next(c for c in page.split('<div class="card">')[1:] if "Phường Nha Trang · 2025" in c)
    assert f"T3/2025: {march[2] * 100:.1f} % (1 / 6)" in card and TODAY in card
    # the ended district's own target reads the tree as it was, and says so; the others today's
    rows = {
        re.search(r"<td>([^<]*)</td>\s*<td class=\"num\">2025", r)[1]: r
        for r in re.findall(r"<tr>.*?</tr>", page.split("<h2>", 2)[1], flags=re.S)
        if "<td>" in r
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
    targets, trends, index, ranking = (
        page.split("<h2>")[i] for i in range(1, 5)
    )
    assert TODAY in targets and AS_WAS in targets
    assert trends.count('<div class="card">') == trends.count('<span class="tree ')
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
