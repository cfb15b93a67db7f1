"""docs/spec §2.0: no cell value of an input, ever, in a column name, a message, a log line, run
metadata or the BI file — whatever shape a broken file takes (a header-less export, a link out of
the raw folder, a zipped or gzipped export, a text file, a corrupt re-send). Each case plants an
applicant's name, ID number, phone and address in the broken file, runs the real command
(``python -m reform_pipeline.run``) under a DAGSTER_HOME made as `make run` makes it, and searches
the BI file (every table, as text), the console output and every file under DAGSTER_HOME.

And the corrupt re-send as users meet it (docs/spec §2.0, "A file that breaks later"): the run
publishes, warns, keeps the previous rows, and the repaired file is ingested as usual.
"""

from __future__ import annotations

import gzip
import json
import os
import zipfile
from pathlib import Path

import duckdb
import pytest

from reform_pipeline_tests.fixtures import dossier, make_raw, write_csv, write_parquet
from reform_pipeline_tests.processes import Deployment, deployment

PERSONAL = {"ChuHoSo": "Trần Thị Kín Đáo", "SoGiayTo": "082195550123", "SoDienThoai": "0933777111",
            "DiaChi": "45 Ngõ Riêng, Ninh Hòa"}
# the first line of a header-less export: a dossier, the applicant's values among its cells
HEADERLESS_ROW = ["HS-PRIVATE-1", "1.000001.000.00.00.H32", "X1", "2", "4", "10", "2025-03-03 08:00:00",
                  *PERSONAL.values()]


def _csv_line(cells: list[str]) -> str:
    return ",".join(f'"{cell}"' for cell in cells) + "\n"


def plant_headerless_csv(raw: Path, outside: Path) -> None:
    (raw / "dossiers_20250305.csv").write_text(_csv_line(HEADERLESS_ROW) * 3, encoding="utf-8")


def plant_link_outside(raw: Path, outside: Path) -> None:
    target = write_csv(outside / "dossiers_private.csv", [dossier(MaHoSo="HS-PRIVATE-2", **PERSONAL)])
    os.symlink(target, raw / "dossiers_20250305.csv")


def plant_compressed_and_unsupported(raw: Path, outside: Path) -> None:
    inner = write_csv(outside / "dossiers_20250305.csv", [dossier(MaHoSo="HS-PRIVATE-3", **PERSONAL)])
    with zipfile.ZipFile(raw / "dossiers_20250305.zip", "w") as archive:
        archive.write(inner, "dossiers_20250305.csv")
    (raw / "dossiers_20250306.csv.gz").write_bytes(gzip.compress(inner.read_bytes()))
    (raw / "dossiers_20250307.txt").write_bytes(inner.read_bytes())
    (raw / "dossiers_20250308.csv").write_bytes(b"")


PLANTS = {
    "headerless_csv": pytest.param(plant_headerless_csv, id="headerless_csv"),
    "link_outside": pytest.param(plant_link_outside, id="link_outside"),
    "compressed_and_unsupported": pytest.param(plant_compressed_and_unsupported, id="compressed_and_unsupported"),
}


def base_raw(folder: Path) -> Path:
    """A raw folder with one clean export (its applicant values are not the planted ones)."""
    return make_raw(folder, {"dossiers_20250301.csv": [dossier(MaHoSo="A"), dossier(MaHoSo="B")]})


def bi_text(bi: Path) -> str:
    """Every table of the BI file, names, column names and rows, as text."""
    with duckdb.connect(str(bi), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables ORDER BY ALL").fetchall()
        parts = []
        for schema, table in tables:
            relation = con.table(f'"{schema}"."{table}"')
            parts += [schema, table, *relation.columns, repr(relation.fetchall())]
    return "\n".join(parts)


def assert_nothing_echoed(deploy: Deployment, outputs: list[str]) -> None:
    console = "\n".join(outputs)
    bi = bi_text(deploy.bi) if deploy.bi.exists() else ""
    home_files = [p for p in deploy.home.rglob("*") if p.is_file()]
    report = [p for p in deploy.work.rglob("*.html")]
    for value in PERSONAL.values():
        forms = {value.encode(), json.dumps(value).strip('"').encode()}
        assert value not in console, f"{value!r} in the command's output"
        assert value not in bi, f"{value!r} in the BI file"
        for path in home_files + report:
            content = path.read_bytes()
            assert not any(form in content for form in forms), f"{value!r} in {path}"


def run_ok(deploy: Deployment) -> str:
    result = deploy.run()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def run_info(deploy: Deployment) -> dict[str, dict]:
    with duckdb.connect(str(deploy.bi), read_only=True) as con:
        files = json.loads(con.execute("SELECT to_json(files)::VARCHAR FROM mart.run_info").fetchone()[0])
    return {f["name"]: f for f in files}


@pytest.mark.parametrize("plant", list(PLANTS.values()))
def test_a_broken_file_echoes_no_cell_value_anywhere(tmp_path, plant):
    raw = base_raw(tmp_path / "raw")
    plant(raw, tmp_path / "outside")
    deploy = deployment(tmp_path, raw)
    output = run_ok(deploy)
    assert_nothing_echoed(deploy, [output])
    files = run_info(deploy)
    assert files["dossiers_20250301.csv"]["status"] == "ingested"
    assert files["dossiers_20250305.csv" if "dossiers_20250305.csv" in files else "dossiers_20250305.zip"][
        "status"] in ("skipped", "unreadable")


def test_a_corrupt_resend_publishes_warns_keeps_its_rows_and_its_repair_is_read(tmp_path):
    raw = base_raw(tmp_path / "raw")
    export = write_parquet(raw / "dossiers_20250302.parquet", [dossier(MaHoSo="C", **PERSONAL), dossier(MaHoSo="D")])
    readable = export.read_bytes()
    deploy = deployment(tmp_path, raw)
    outputs = [run_ok(deploy)]
    assert run_info(deploy)[export.name]["status"] == "ingested"

    # the re-send under the same name is a damaged workbook that holds the applicant's values
    corrupt = raw / "dossiers_20250302.xlsx"
    export.unlink()
    corrupt.write_bytes(b"PK\x03\x04" + "|".join(PERSONAL.values()).encode() + b"\x00" * 64)
    outputs.append(run_ok(deploy))  # a new name: unreadable, nothing kept, the run goes on
    assert run_info(deploy)[corrupt.name]["status"] == "unreadable"
    corrupt.unlink()

    # now a corrupt re-send under the ingested export's own name
    export.write_bytes(b"PAR1\xff\xfe" + ",".join(PERSONAL.values()).encode("utf-16") + b"\x00\x81\x8d" * 40)
    output = run_ok(deploy)
    outputs.append(output)
    entry = run_info(deploy)[export.name]
    assert entry["status"] == "unreadable (previous version kept)" and entry["previous_version_kept"], entry
    assert entry["reason"].endswith("(previous version kept)") and entry["rows_read"] == 2
    assert "WARN" in output and "every_input_file_readable" in output
    with duckdb.connect(str(deploy.bi), read_only=True) as bi:
        assert bi.execute("SELECT dossier_id FROM mart.dossier_facts ORDER BY 1").fetchall() == [
            ("A",), ("B",), ("C",), ("D",)]
        built_at_type = bi.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'run_info' AND column_name = "
            "'built_at'").fetchone()[0]
    assert built_at_type == "TIMESTAMP WITH TIME ZONE"

    # the repaired export, a new version: read as usual
    write_parquet(export, [dossier(MaHoSo="C", TrangThaiHoSoId="9"), dossier(MaHoSo="E")])
    outputs.append(run_ok(deploy))
    entry = run_info(deploy)[export.name]
    assert entry["status"] == "ingested" and not entry["previous_version_kept"] and entry["reason"] is None
    with duckdb.connect(str(deploy.bi), read_only=True) as bi:
        assert bi.execute("SELECT dossier_id FROM mart.dossier_facts ORDER BY 1").fetchall() == [
            ("A",), ("B",), ("C",), ("E",)]
    assert readable != export.read_bytes()
    assert_nothing_echoed(deploy, outputs)
