"""Idempotent reruns: a second run on the same files publishes the same tables.

Runs killed at any moment: reform_pipeline_tests/reliability/test_dead_runs_and_waits.py.
"""

from __future__ import annotations

import shutil

from dagster import materialize

from reform_pipeline.definitions import ALL_ASSETS
from reform_pipeline.resources import resources_from
from reform_pipeline.settings import Settings
from reform_pipeline_tests.fixtures import dossier, make_raw
from reform_pipeline_tests.processes import mart_contents



def test_two_runs_without_new_files_publish_identical_tables(tmp_path):
    raw = make_raw(tmp_path / "raw", {
        "dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(20)] + [dossier(MaHoSo="BAD", PhiLePhi="-1")],
        "dossiers_20250302.csv": [dossier(MaHoSo="A3", TrangThaiHoSoId="4", NgayCapNhat="2025-03-06")],
    })
    settings = Settings(raw, tmp_path / "wh.duckdb", tmp_path / "bi" / "reform_bi.duckdb", None)
    assert materialize(ALL_ASSETS, resources=resources_from(settings)).success
    first = mart_contents(settings.bi_db)
    shutil.copy(raw / "dossiers_20250301.csv", raw / "dossiers_20250301 - Copy.csv")  # a renamed copy
    assert materialize(ALL_ASSETS, resources=resources_from(settings)).success
    second = mart_contents(settings.bi_db)
    files = {f["name"]: f["status"] for f in second.pop("run_info")[0][2]}
    first.pop("run_info")
    assert second == first
    assert files["dossiers_20250301 - Copy.csv"] == "duplicate"
