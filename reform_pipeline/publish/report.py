"""The readable scorecard: Markdown for the Dagster UI, a terminal table, one offline HTML page.

This module only lays them out. What they show is read from the warehouse through the SQL files
``sql/publish/report_*.sql`` (publish/report_data.py; labels and kinds from the metric
catalogue), formatted by publish/report_format.py, and for the page gathered, ranked and charted
into a view model by publish/report_model.py. Text is in Vietnamese with English beside it.

The HTML page (``write_scorecard_html``) is one self-contained file (docs/spec §5, "The scorecard
page"; docs/bi.md): the Jinja template ``scorecard_template.html`` with its inline CSS, the inline
SVG charts of ``scorecard_charts.svg`` and one small inline script that sorts and searches the
unit table; no font, image or script from the network, and the only links are the downloads
written next to the page. The template escapes every value itself (autoescape): no HTML is
written here.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from reform_pipeline.publish.report_data import (
    IndexSummary,
    TargetRow,
    as_of_date,
    province,
    province_index,
    read_catalogue,
    scorecard_rows,
    units_summary,
)
from reform_pipeline.publish.report_format import (
    AS_WAS,
    RANK,
    TREE_SHORT,
    bilingual,
    format_measured,
    format_points,
    format_rank,
    format_target,
    format_value,
    fraction,
    status_label,
    tree_label,
    units_line,
)
from reform_pipeline.publish.report_model import (
    MIN_DENOMINATOR,
    page_model,
    ranked_units,
    weakest_kpis,
)

__all__ = [
    "format_target",
    "format_value",
    "ranked_units",
    "scorecard_html",
    "scorecard_markdown",
    "scorecard_text",
    "weakest_kpis",
    "write_scorecard_html",
]

TEMPLATE_DIR = Path(__file__).parent
PAGE_TEMPLATE = "scorecard_template.html"


# ---------------------------------------------------------------------------------------------
# Markdown (Dagster UI metadata) and terminal text


def _index_sentence(summary: IndexSummary | None, label: str) -> str:
    if summary is None:
        return f"{label}: —"
    total = summary.total
    score = "—" if total["score_100"] is None else f"{float(total['score_100']):.2f} / 100"
    return (
        f"{label}: {score} ({format_points(total['points'])} / {int(total['max_points'])} "
        f"điểm được đo / covered points)"
    )


def _period_label(summary: IndexSummary) -> str:
    if summary.period_type == "month":
        return f"tháng / month {summary.period_start:%m/%Y}"
    return f"năm / year {summary.period_start.year}"


def _province_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The province's 766 score for its latest year and month, one line each after a title that
    says which tree the index follows (the tree as it was, docs/spec §4.5)."""
    root = province(con)
    if root is None:
        return ["Chỉ số 766 / 766 index: —"]
    code, name = root
    tree = tree_label(AS_WAS)
    lines = [f"Chỉ số 766 của {name} ({tree[0].lower()}) / 766 index of {name} ({code}; {tree[1]})"]
    for period_type in ("year", "month"):
        summary = province_index(con, code, period_type)
        label = "—" if summary is None else _period_label(summary)
        lines.append(_index_sentence(summary, label))
    return lines


MARKDOWN_HEADERS = (
    "Kế hoạch / Plan",
    "Phạm vi / Scope",
    "Năm / Year",
    "Chỉ tiêu / KPI",
    "Mục tiêu / Target",
    "Thực hiện / Value",
    "Đánh giá / Status",
    "Cây đơn vị / Tree",
)


def _md_cell(text: Any) -> str:
    """A table cell: markup from data is escaped (Markdown decodes the entities back to text)."""
    escaped = html.escape(str(text), quote=False)
    return escaped.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _row_cells(row: TargetRow, *, kpi: str, kind: str, tree: str) -> list[str]:
    return [
        row.plan_id,
        row.scope_name or row.scope_code,
        str(row.year),
        kpi,
        format_target(kind, row.comparator, row.target),
        format_rank(row.value, row.denominator) if kind == RANK else format_measured(kind, row.value, row.target),
        status_label(row.status),
        tree,
    ]


def _units_sentence(con: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> str:
    summary = units_summary(con, as_of)
    return "Đơn vị / Units: " + bilingual(
        units_line(summary.alive, summary.ended, None if as_of is None else as_of.isoformat())
    )


def scorecard_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """The plan targets as a Markdown table, each row with the tree its value comes from, then the
    units of today's tree and the province's 766 score (latest year, month)."""
    rows = scorecard_rows(con)
    catalogue = read_catalogue(con)
    lines = [
        "| " + " | ".join(MARKDOWN_HEADERS) + " |",
        "|" + "|".join("---" for _ in MARKDOWN_HEADERS) + "|",
    ]
    for row in rows:
        cells = _row_cells(
            row,
            kpi=f"{bilingual(catalogue.label(row.kpi_code))} (`{row.kpi_code}`)",
            kind=catalogue.kind(row.kpi_code),
            tree=bilingual(tree_label(row.tree)) if row.tree else "—",
        )
        lines.append("| " + " | ".join(_md_cell(cell) for cell in cells) + " |")
    if not rows:
        lines.append("| " + " | ".join(["—"] * len(MARKDOWN_HEADERS)) + " |")
    as_of = as_of_date(rows)
    lines.append("")
    if as_of is not None:
        lines.append(f"Số liệu đến ngày / Data as of: {as_of.isoformat()}")
        lines.append("")
    lines.append(_md_cell(_units_sentence(con, as_of)))
    lines.append("")
    index_lines = _province_lines(con)
    lines.append(f"**{_md_cell(index_lines[0])}**")
    lines.extend(f"- {_md_cell(line)}" for line in index_lines[1:])
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Display width in a terminal: combining marks take no column (NFC keeps most precomposed)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in unicodedata.normalize("NFC", text))


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _text_table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> list[str]:
    rows = [list(row) for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = "  ".join(_pad(h, widths[i], i in numeric) for i, h in enumerate(headers)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(_pad(c, widths[i], i in numeric) for i, c in enumerate(r)).rstrip() for r in rows]
    return [line, rule, *body]


def scorecard_text(con: duckdb.DuckDBPyConnection) -> str:
    """The same scorecard as a plain aligned table for the terminal (end of ``make run``): KPIs by
    their Vietnamese label, each row with the tree its value comes from."""
    rows = scorecard_rows(con)
    catalogue = read_catalogue(con)
    headers = (
        "Kế hoạch/Plan",
        "Phạm vi/Scope",
        "Năm/Year",
        "Chỉ tiêu/KPI",
        "Mục tiêu/Target",
        "Thực hiện/Value",
        "Tử/Mẫu (num/den)",
        "Đánh giá/Status",
        "Cây/Tree",
    )
    body = []
    for row in rows:
        cells = _row_cells(
            row,
            kpi=catalogue.label(row.kpi_code)[0],
            kind=catalogue.kind(row.kpi_code),
            tree=TREE_SHORT.get(row.tree, row.tree or "—"),
        )
        cells.insert(6, fraction(row.numerator, row.denominator))
        body.append([c.replace("\n", " ") for c in cells])
    as_of = as_of_date(rows)
    title = "Bảng điểm CCHC / Administrative-reform scorecard"
    if as_of is not None:
        title += f" — số liệu đến / as of {as_of.isoformat()}"
    lines = [title, ""]
    lines.extend(_text_table(headers, body, numeric={2, 4, 5, 6}))
    if not rows:
        lines.append("(không có chỉ tiêu / no targets)")
    lines.append("")
    lines.append(_units_sentence(con, as_of))
    lines.append("")
    lines.extend(_province_lines(con))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# HTML


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "svg", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["px"] = lambda number: f"{number:.1f}"  # SVG coordinates
    return environment


def scorecard_html(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    *,
    min_denominator: int = MIN_DENOMINATOR,
    built_at: dt.datetime | None = None,
) -> str:
    """The whole scorecard page as one self-contained HTML string; ``built_at``: the build time
    it shows, in Vietnam's time with its offset (now when not given)."""
    page = page_model(con, as_of, min_denominator=min_denominator, built_at=built_at)
    return _environment().get_template(PAGE_TEMPLATE).render(page=page)


def write_scorecard_html(
    con: duckdb.DuckDBPyConnection,
    path: str | os.PathLike[str],
    as_of: dt.date,
    *,
    min_denominator: int = MIN_DENOMINATOR,
    built_at: dt.datetime | None = None,
) -> Path:
    """Write the scorecard page to ``path`` atomically (temporary file, then ``os.replace``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(target, scorecard_html(con, as_of, min_denominator=min_denominator, built_at=built_at))
    return target


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``: a reader sees the
    old page or the new one, never half of one."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; the page is for everyone
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
