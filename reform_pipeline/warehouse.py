"""Running the project's SQL files against the warehouse.

Every table DuckDB computes lives in one file under ``reform_pipeline/sql/<stage>/<table>.sql``.
Python only names the file and binds values as parameters (``$as_of``); it never splices values
into SQL text.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from typing import Any

import duckdb

SQL_PACKAGE = "reform_pipeline.sql"


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    """The text of ``sql/<name>.sql``; ``name`` is one of our own constants, e.g. ``model/dossier_facts``."""
    stage, _, table = name.partition("/")
    return resources.files(SQL_PACKAGE).joinpath(stage).joinpath(f"{table}.sql").read_text(encoding="utf-8")


def split_statements(text: str) -> list[str]:
    """Split a SQL file on ``;`` at line ends. Our files keep one statement per ``;\\n``."""
    statements, current = [], []
    for line in text.splitlines():
        current.append(line)
        # a comment that happens to end in ";" does not end a statement
        if line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            statement = "\n".join(current).strip()
            if _has_code(statement):
                statements.append(statement)
            current = []
    tail = "\n".join(current).strip()
    if _has_code(tail):
        statements.append(tail)
    return statements


def _has_code(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())


def run_sql_file(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> None:
    """Run every statement of ``sql/<name>.sql``, binding only the parameters each one uses."""
    params = params or {}
    for statement in split_statements(sql_text(name)):
        code = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
        used = {key: value for key, value in params.items() if f"${key}" in code}
        execute(con, statement, used)


def execute(con: duckdb.DuckDBPyConnection, statement: str, params: Any = None) -> list[tuple]:
    """Run one statement and drain its result: DuckDB 2 refuses other work on a connection
    (registering an Arrow stream, the relation API) while a result is left unfetched."""
    result = con.execute(statement, params) if params else con.execute(statement)
    return result.fetchall()


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: Any = None) -> Any:
    rows = con.execute(query, params).fetchall() if params is not None else con.execute(query).fetchall()
    return rows[0][0] if rows else None


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str, *, base_table: bool = False) -> bool:
    """Whether ``schema.table`` exists: a table or a view, or with ``base_table`` only a table."""
    return bool(
        scalar(
            con,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ? "
            "AND (NOT ? OR table_type = 'BASE TABLE')",
            [schema, table, base_table],
        )
    )


def current_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The as-of date the ingest stage settled for this run (meta.run_context)."""
    value = scalar(con, "SELECT as_of FROM meta.run_context")
    if value is None:
        raise RuntimeError("meta.run_context has no as-of date: run the ingest stage first")
    return value
