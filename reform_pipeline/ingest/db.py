"""The ingest stage's statements and tables (docs/spec §2).

Every statement the stage runs lives in a file under ``reform_pipeline/sql/ingest/``; Python names
the file and binds values as parameters. Only the landing views (ingest/validation.py) are built
here in Python, from our own identifiers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import duckdb

from reform_pipeline.warehouse import execute, run_sql_file, split_statements, sql_text


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Create the warehouse's ingest tables if needed, and this connection's value-rule macros
    (docs/spec §2)."""
    run_sql_file(con, "ingest/schema")
    run_sql_file(con, "ingest/macros")


def query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[tuple]:
    """The rows of the one statement of ``sql/<name>.sql`` (``name``: e.g. ``ingest/ingest_state``),
    binding only the parameters it uses."""
    (statement,) = split_statements(sql_text(name))
    code = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
    used = {key: value for key, value in (params or {}).items() if f"${key}" in code}
    return execute(con, statement, used)


def value(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> Any:
    """The first value of ``query(con, name, params)``, or None when it returns no row."""
    rows = query(con, name, params)
    return rows[0][0] if rows else None


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    execute(con, "BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        execute(con, "ROLLBACK")
        raise
    execute(con, "COMMIT")
