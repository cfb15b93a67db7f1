"""The readable scorecard: Markdown, terminal text and the offline HTML page."""

from __future__ import annotations

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
from reform_pipeline.publish.report_model import PlanKpi, weakest, worst_units

from .report_scenario import AS_OF, TARGET_PLANS


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


def test_markdown_has_every_target_row_and_bilingual_headers(scored):
    text = scorecard_markdown(scored)
    header, rule, *body = text.splitlines()
    assert "Chỉ tiêu / KPI" in header and "Mục tiêu / Target" in header
    assert "Trạng thái" in header or "Đánh giá / Status" in header
    table_rows = [line for line in body if line.startswith("| ")]
    assert len(table_rows) == len(TARGET_PLANS)
    for plan_id, scope, year, kpi, _, _ in TARGET_PLANS:
        shown = html.escape(plan_id, quote=False)  # markup from data is escaped
        assert any(shown in row and kpi in row and str(year) in row for row in table_rows), plan_id
    assert "Chưa đạt / not met" in text
    assert "Không có số liệu / no data" in text  # the 2023 targets: year not published
    # the province's 766 score for the latest year and month
    assert "766" in text and "năm / year 2025" in text and "tháng / month 03/2025" in text


def test_text_table_has_every_target_row(scored):
    text = scorecard_text(scored)
    for plan_id, scope, year, kpi, comparator, _ in TARGET_PLANS:
        assert any(plan_id in line and kpi in line and str(year) in line for line in text.splitlines()), plan_id
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
    # every target row, escaped where the data holds markup
    rows = re.findall(r"<tr>.*?</tr>", page.split("<h2>", 2)[1], flags=re.S)
    assert len([r for r in rows if "<td>" in r]) == len(TARGET_PLANS)
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
