"""Personal data never leaves the warehouse, and the UI is not exposed (issue: reliability)."""

from __future__ import annotations

import re
from pathlib import Path

from dagster import DagsterInstance, materialize
from dagster._serdes import serialize_value

from reform_pipeline.definitions import ALL_ASSETS, ALL_CHECKS
from reform_pipeline.resources import resources_from
from reform_pipeline.settings import Settings
from reform_pipeline_tests.fixtures import dossier, make_raw

REPO = Path(__file__).resolve().parents[2]
PERSONAL = {"ChuHoSo": "Phạm Thị Riêng Tư", "SoGiayTo": "079301234567", "SoDienThoai": "0912345678",
            "DiaChi": "99 Đường Bí Mật, Nha Trang"}


def test_no_personal_value_reaches_the_event_log_metadata_or_logs(tmp_path, capfd):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [
        dossier(MaHoSo="OK", **PERSONAL), dossier(MaHoSo="BAD", PhiLePhi="-1", **PERSONAL)]})
    settings = Settings(raw, tmp_path / "wh.duckdb", tmp_path / "bi" / "reform_bi.duckdb", None)
    instance = DagsterInstance.ephemeral()
    result = materialize(ALL_ASSETS + ALL_CHECKS, resources=resources_from(settings), instance=instance)
    assert result.success
    events = "\n".join(serialize_value(record) for record in instance.all_logs(result.run_id))
    output = "".join(capfd.readouterr())
    for value in PERSONAL.values():
        assert value not in events, f"{value!r} in the Dagster event log"
        assert value not in output, f"{value!r} in the run's output"


def test_the_ui_listens_on_loopback_only():
    makefile = (REPO / "Makefile").read_text()
    ui = re.search(r"^ui:.*?\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "-h 127.0.0.1" in ui and "0.0.0.0" not in makefile
    assert "authenticating reverse proxy" in (REPO / "README.md").read_text()
