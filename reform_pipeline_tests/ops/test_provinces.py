"""The provinces deployment's rules: the provinces file, the partition → folders mapping, the
nightly schedule of every province and when the national roll-up may start (docs/spec §3.1)."""

import csv
import datetime as dt
import importlib
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from dagster import DagsterRunStatus, build_schedule_context

from reform_pipeline.provinces import (
    PARTITION_TAG,
    Deployment,
    province_of_run,
    read_provinces,
)
from reform_pipeline.settings import ConfigError, Settings

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "reform_pipeline" / "catalogue" / "provinces.csv"


def test_the_shipped_list_is_the_34_provinces_of_2025_with_their_gso_codes():
    rows = list(csv.DictReader(SHIPPED.open(encoding="utf-8")))
    assert len(rows) == 34
    codes = [r["code"] for r in rows]
    assert len(set(codes)) == 34 and all(len(c) == 2 and c.isdigit() for c in codes)
    names = {r["code"]: r["name"] for r in rows}
    assert names["56"] == "Tỉnh Khánh Hòa" and names["01"] == "Thành phố Hà Nội"
    assert names["79"] == "Thành phố Hồ Chí Minh" and names["96"] == "Tỉnh Cà Mau"
    # Ninh Thuận (58) joined Khánh Hòa on 2025-07-01: it is no longer a province
    assert "58" not in names


def test_each_province_gets_its_own_folders_under_the_deployment(tmp_path):
    text = "code,name,raw_dir\n56,Khánh Hòa,\n79,Hồ Chí Minh,exports/hcm\n01,Hà Nội,/srv/hanoi/raw\n"
    provinces = {p.code: p for p in read_provinces(text, tmp_path, "test")}
    assert provinces["56"].raw_dir == tmp_path / "56" / "raw"
    assert provinces["79"].raw_dir == tmp_path / "exports" / "hcm"
    assert provinces["01"].raw_dir == Path("/srv/hanoi/raw")
    settings = provinces["56"].settings(Settings.from_env({}))
    assert settings.warehouse == tmp_path / "56" / "warehouse" / "reform.duckdb"
    assert settings.bi_db == tmp_path / "56" / "bi" / "reform_bi.duckdb"
    assert settings.report_html == tmp_path / "56" / "bi" / "scorecard.html"
    # each province's DuckDB spills next to its own warehouse
    assert settings.duckdb_config()["temp_directory"].startswith(str(tmp_path / "56" / "warehouse"))


@pytest.mark.parametrize("text, message", [
    ("", "is empty"),
    ("code,raw_dir\n56,\n", "no column name"),
    ("code,name,owner\n56,Khánh Hòa,x\n", "column(s) other than"),
    ("code,name\n56,Khánh Hòa\n56,Khánh Hòa\n", "line 3: province 56 is listed twice"),
    ("code,name\n../56,Khánh Hòa\n", "line 2: the code is not"),
    ("code,name\n56,\n", "line 2: province 56 has no name"),
    ("code,name\n56,Khánh Hòa,extra\n", "line 2: 3 fields"),
    ("code,name\n", "lists no province"),
])
def test_a_provinces_file_with_a_mistake_stops_with_its_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_provinces(text, tmp_path, "provinces.csv")


def test_which_provinces_file_is_read(tmp_path):
    assert len(Deployment.from_env({"REFORM_PROVINCES_DIR": str(tmp_path)}).provinces) == 34
    (tmp_path / "provinces.csv").write_text("code,name\n56,Khánh Hòa\n", encoding="utf-8")
    assert Deployment.from_env({"REFORM_PROVINCES_DIR": str(tmp_path)}).codes == ["56"]
    other = tmp_path / "other.csv"
    other.write_bytes("\ufeffcode,name\n79,Hồ Chí Minh\n01,Hà Nội\n".encode("utf-8"))
    env = {"REFORM_PROVINCES_DIR": str(tmp_path), "REFORM_PROVINCES_FILE": str(other)}
    assert Deployment.from_env(env).codes == ["79", "01"]
    with pytest.raises(ConfigError, match="REFORM_PROVINCES_DIR is not set"):
        Deployment.from_env({})
    with pytest.raises(ConfigError, match="is not a file"):
        Deployment.from_env({**env, "REFORM_PROVINCES_FILE": str(tmp_path / "missing.csv")})
    with pytest.raises(ConfigError, match="no province '99'"):
        Deployment.from_env(env).province("99")


def test_a_run_builds_the_province_of_its_partition(tmp_path):
    deployment = Deployment.from_env({"REFORM_PROVINCES_DIR": str(tmp_path)})
    assert province_of_run({PARTITION_TAG: "56"}, deployment).home == tmp_path / "56"
    ranged = {"dagster/asset_partition_range_start": "79", "dagster/asset_partition_range_end": "79"}
    assert province_of_run(ranged, deployment).code == "79"
    with pytest.raises(ConfigError, match="names no province"):
        province_of_run({}, deployment)


@pytest.fixture
def provinces_location(tmp_path, monkeypatch):
    (tmp_path / "provinces.csv").write_text("code,name\n56,Khánh Hòa\n79,Hồ Chí Minh\n01,Hà Nội\n",
                                            encoding="utf-8")
    monkeypatch.setenv("REFORM_PROVINCES_DIR", str(tmp_path))
    monkeypatch.delenv("REFORM_PROVINCES_FILE", raising=False)
    import reform_pipeline.provinces_definitions as location
    return importlib.reload(location)


def test_the_location_partitions_every_asset_by_province(provinces_location):
    defs = provinces_location.defs
    job = defs.resolve_job_def("province_refresh")
    assert job.partitions_def.get_partition_keys() == ["56", "79", "01"]
    graph = defs.resolve_asset_graph()
    province_assets = {k.to_user_string() for k in graph.get_all_asset_keys()} - {"national_bi"}
    assert {"dossiers", "unit_metrics", "bi_database", "scorecard_report"} <= province_assets
    for key in graph.get_all_asset_keys():
        partitions = graph.get(key).partitions_def
        if key.to_user_string() == "national_bi":
            assert partitions is None
        else:
            assert partitions is not None and partitions.get_partition_keys() == ["56", "79", "01"]
    assert defs.resolve_job_def("national_rollup") is not None


def test_the_nightly_schedule_queues_one_run_per_province_tagged_with_the_night(provinces_location):
    schedule = provinces_location.nightly_provinces
    assert schedule.cron_schedule == "30 1 * * *" and schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    when = dt.datetime(2026, 12, 6, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    requests = schedule.evaluate_tick(build_schedule_context(
        scheduled_execution_time=when, repository_def=provinces_location.defs.get_repository_def())).run_requests
    assert [r.partition_key for r in requests] == ["56", "79", "01"]
    assert {r.tags[provinces_location.NIGHT_TAG] for r in requests} == {"2026-12-06"}
    assert len({r.run_key for r in requests}) == 3


def _run(code, status, run_id):
    return SimpleNamespace(tags={PARTITION_TAG: code}, status=status, run_id=run_id)


def test_the_national_roll_up_waits_for_every_province_of_the_night(provinces_location):
    codes = ["56", "79", "01"]
    over = provinces_location.night_is_over
    done, failed, started = DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.STARTED
    assert over([_run("56", done, "a"), _run("79", failed, "b"), _run("01", started, "c")], codes) == (
        False, "1 of 3 province runs not finished (first: 01)")
    assert over([], codes) == (False, "no province run that night")
    # a province the night's tick did not queue (added to the file since) is not waited for
    assert over([_run("56", done, "a"), _run("79", failed, "b")], codes) == (True, "")
    # a failed or canceled province does not hold the others back
    assert over([_run("56", done, "a"), _run("79", failed, "b"),
                 _run("01", DagsterRunStatus.CANCELED, "c")], codes) == (True, "")
    # the newest run of a province counts: a retry still running is waited for
    assert over([_run("79", DagsterRunStatus.QUEUED, "d"), _run("56", done, "a"),
                 _run("79", failed, "b"), _run("01", done, "c")], codes)[0] is False


def test_the_single_province_location_is_unchanged():
    from reform_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    assert all(graph.get(key).partitions_def is None for key in graph.get_all_asset_keys())
    assert "national_bi" not in {k.to_user_string() for k in graph.get_all_asset_keys()}


def test_the_command_names_an_unknown_province_and_a_missing_deployment(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "reform_pipeline.run", "--province", "56"],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "REFORM_PROVINCES_DIR is not set" in result.stderr
    result = subprocess.run([sys.executable, "-m", "reform_pipeline.run", "--province", "58"],
                            env={**env, "REFORM_PROVINCES_DIR": str(tmp_path)}, cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "no province '58'" in result.stderr and "56" in result.stderr
    # a province without its raw folder yet: named, nothing written
    result = subprocess.run([sys.executable, "-m", "reform_pipeline.run", "--province", "56"],
                            env={**env, "REFORM_PROVINCES_DIR": str(tmp_path)}, cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and str(tmp_path / "56" / "raw") in result.stderr
    assert not (tmp_path / "56" / "bi").exists()


def test_on_kubernetes_each_province_run_mounts_its_own_volume(provinces_location, monkeypatch):
    import json

    assert provinces_location.province_run_tags("56") == {}
    monkeypatch.setenv("REFORM_K8S_VOLUMES", "1")
    location = importlib.reload(provinces_location)
    job = location.defs.resolve_job_def("province_refresh")
    tags = job.partitioned_config.get_tags_for_partition_key("56")
    config = json.loads(tags["dagster-k8s/config"])
    root = location.deployment.root
    assert config["pod_spec_config"]["volumes"][0]["persistent_volume_claim"]["claim_name"] == "reform-province-56"
    assert {m["mount_path"] for m in config["container_config"]["volume_mounts"]} == {
        str(root / "56"), str(root / "56" / "bi")}
    national = json.loads(location.defs.resolve_job_def("national_rollup").tags["dagster-k8s/config"])
    assert all(m.get("read_only") for m in national["container_config"]["volume_mounts"] if m["name"] == "bi")
    monkeypatch.delenv("REFORM_K8S_VOLUMES")
    importlib.reload(provinces_location)


def test_a_new_file_in_a_provinces_raw_folder_starts_a_run_of_that_province_only(provinces_location, tmp_path):
    from dagster import build_sensor_context

    from reform_pipeline.raw_folder import record_inputs
    from reform_pipeline_tests.fixtures import dossier, make_raw, write_csv

    sensor = provinces_location.province_raw_folders
    make_raw(tmp_path / "56" / "raw", {"dossiers_20250310.csv": [dossier()]})
    make_raw(tmp_path / "79" / "raw", {"dossiers_20250310.csv": [dossier()]})  # 01 has no raw folder yet

    def tick(cursor):
        result = sensor(build_sensor_context(cursor=cursor, instance=None))
        return list(result.run_requests or []), result.cursor

    first, cursor = tick(None)
    assert sorted(r.partition_key for r in first) == ["56", "79"]
    assert all(r.tags["reform/night"] and r.tags["reform/trigger"] == "province_raw_folders_sensor" for r in first)
    again, cursor = tick(cursor)
    assert again == []
    write_csv(tmp_path / "79" / "raw" / "dossiers_20250311.csv", [dossier(MaHoSo="HS-002")])
    changed, cursor = tick(cursor)
    assert [(r.partition_key, r.tags["reform/changed_files"]) for r in changed] == [("79", "dossiers_20250311.csv")]
    # a file the province's own run has just read starts nothing
    write_csv(tmp_path / "56" / "raw" / "dossiers_20250312.csv", [dossier(MaHoSo="HS-003")])
    (tmp_path / "56" / "warehouse").mkdir()
    record_inputs(tmp_path / "56" / "raw", tmp_path / "56" / "warehouse" / "reform.duckdb")
    assert tick(cursor)[0] == []
