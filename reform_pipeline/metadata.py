"""Materialization metadata the Dagster UI shows first: row count, column schema, a preview."""

from __future__ import annotations

from typing import Any

import duckdb
from dagster import MetadataValue, TableColumn, TableSchema

from reform_pipeline.warehouse import current_as_of

PREVIEW_ROWS = 5


def table_metadata(
    con: duckdb.DuckDBPyConnection, table: str, preview_columns: list[str] | None = None
) -> dict[str, Any]:
    """``dagster/row_count``, ``dagster/column_schema`` and a Markdown preview of ``table``.

    ``preview_columns`` limits the preview (tables that hold personal data preview only
    the columns that do not).
    """
    described = con.execute("DESCRIBE SELECT * FROM query_table($table)", {"table": table}).fetchall()
    schema = TableSchema(columns=[TableColumn(name, str(kind)) for name, kind, *_ in described])
    rows = con.execute("SELECT count(*) FROM query_table($table)", {"table": table}).fetchone()[0]
    shown = preview_columns or [name for name, *_ in described]
    preview = con.execute(
        "SELECT COLUMNS(lambda c: list_contains($columns, c)) FROM query_table($table) LIMIT $limit",
        {"table": table, "columns": shown, "limit": PREVIEW_ROWS},
    ).fetchall()
    return {
        "dagster/row_count": MetadataValue.int(rows),
        "dagster/column_schema": schema,
        "preview": MetadataValue.md(markdown_table([c for c in (n for n, *_ in described) if c in shown], preview)),
    }


def markdown_table(columns: list[str], rows: list[tuple]) -> str:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(text(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_metadata(summary: dict[str, Any]) -> dict[str, Any]:
    """A build function's summary as typed metadata, so that counts can be plotted over runs."""
    typed: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, bool) or value is None:
            typed[key] = MetadataValue.text(str(value))
        elif isinstance(value, int):
            typed[key] = MetadataValue.int(value)
        elif isinstance(value, float):
            typed[key] = MetadataValue.float(value)
        elif isinstance(value, (dict, list)):
            typed[key] = MetadataValue.json(value)
        else:
            typed[key] = MetadataValue.text(str(value))
    return typed


def build_and_describe(context, warehouse, build, table: str, what: str) -> dict[str, Any]:
    """Run a stage's ``build(con, as_of)`` and return the metadata of the table it wrote:
    the common body of the model and score assets."""
    with warehouse.get_connection() as con:
        context.log.info(what)
        summary = build(con, current_as_of(con))
        return {**table_metadata(con, table), **summary_metadata(summary)}
