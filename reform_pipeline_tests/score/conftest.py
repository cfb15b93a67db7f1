from __future__ import annotations

import duckdb
import pytest

from .report_scenario import build_report_scenario
from .warehouse_fixture import add_units, create_inputs

PROVINCE_TREE = [
    ("KH", "Tỉnh Khánh Hòa", "province", None),
    ("NT", "Thành phố Nha Trang", "district", "KH"),
    ("NT-VH", "Phường Vĩnh Hải", "commune", "NT"),
    ("NT-PS", "Phường Phước Sơn", "commune", "NT"),
    ("SO-TP", "Sở Tư pháp", "department", "KH"),
]


@pytest.fixture
def warehouse(tmp_path):
    """A fresh warehouse file with empty input tables (never shared between tests)."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_inputs(con)
    yield con
    con.close()


@pytest.fixture
def province_warehouse(warehouse):
    add_units(warehouse, PROVINCE_TREE)
    return warehouse


@pytest.fixture
def scored(province_warehouse):
    """The report scenario (report_scenario.py), with score.index_766 and score.scorecard built."""
    return build_report_scenario(province_warehouse)
