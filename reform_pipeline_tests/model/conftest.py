import pytest

from .staging_tables import new_warehouse


@pytest.fixture
def con(tmp_path):
    connection = new_warehouse(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()
