"""The warehouse during a run (reform_pipeline/resources.py): the steps share one open DuckDB
database, each on a connection of its own, and the file is closed when the run ends, however
its last step ends (docs/operating.md, "One run at a time")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dagster import Failure, asset, materialize

from reform_pipeline.resources import WarehouseResource
from reform_pipeline.settings import Settings

# Another process opening the warehouse read-only, as a DuckDB shell or a notebook would.
_OPEN_READ_ONLY = "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True).close()"


def _opens_from_another_process(path: Path) -> bool:
    done = subprocess.run([sys.executable, "-c", _OPEN_READ_ONLY, str(path)], capture_output=True, text=True)
    assert done.returncode == 0 or "lock" in done.stderr.lower(), done.stderr
    return done.returncode == 0


def _warehouse(tmp_path: Path) -> WarehouseResource:
    settings = Settings(tmp_path / "raw", tmp_path / "wh.duckdb", tmp_path / "bi" / "reform_bi.duckdb", None)
    (tmp_path / "raw").mkdir()
    return WarehouseResource(
        database=str(settings.warehouse), connection_config=settings.duckdb_config(), lock_wait_seconds=5,
    )


def test_steps_share_the_open_file_each_on_its_own_connection(tmp_path):
    seen: dict[str, object] = {}

    @asset
    def first(warehouse: WarehouseResource) -> None:
        with warehouse.get_connection() as con:
            con.execute("CREATE TABLE kept AS SELECT 42 AS answer")
            con.execute("CREATE TEMP TABLE scratch AS SELECT 1 AS x")
            # an uncommitted write dies with its step's connection
            con.execute("BEGIN")
            con.execute("CREATE TABLE half_done AS SELECT 1 AS x")

    @asset(deps=[first])
    def second(warehouse: WarehouseResource) -> None:
        with warehouse.get_connection() as con:
            seen["kept"] = con.execute("SELECT answer FROM kept").fetchall()
            seen["tables"] = sorted(
                row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            )
        # between two steps the run still holds the file: no other program opens it
        seen["opened_during_run"] = _opens_from_another_process(Path(warehouse.database))

    warehouse = _warehouse(tmp_path)
    assert materialize([first, second], resources={"warehouse": warehouse}).success
    assert seen["kept"] == [(42,)]
    assert seen["tables"] == ["kept"]  # neither the first step's temporary table nor its open transaction
    assert seen["opened_during_run"] is False
    assert _opens_from_another_process(Path(warehouse.database))


def test_a_failed_step_closes_the_file_with_the_run(tmp_path):
    @asset
    def writes_then_fails(warehouse: WarehouseResource) -> None:
        with warehouse.get_connection() as con:
            con.execute("CREATE TABLE kept AS SELECT 1 AS x")
        raise Failure("stop here")

    warehouse = _warehouse(tmp_path)
    result = materialize([writes_then_fails], resources={"warehouse": warehouse}, raise_on_error=False)
    assert not result.success
    assert _opens_from_another_process(Path(warehouse.database))


def test_outside_a_run_each_connection_opens_and_closes_the_file(tmp_path):
    warehouse = _warehouse(tmp_path)
    with warehouse.get_connection() as con:
        con.execute("CREATE TABLE kept AS SELECT 1 AS x")
    assert _opens_from_another_process(Path(warehouse.database))
    with pytest.raises(Exception):
        con.execute("SELECT 1")  # closed with its block
