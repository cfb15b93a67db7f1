"""Five provinces built through Dagster's run queue against a real PostgreSQL, as the distributed
deployment runs them (docs/deploy.md, docs/spec §3.1): the daemon dequeues the runs and launches
each as a process of its own, at most four at once (the limit set as `make provinces-home
PARALLEL=4` sets it) and one per province; one province is broken
on purpose and stops only itself; the national roll-up starts on its own once the night's runs
have finished, and its file equals the union of the provinces' own files.

Everything is the real thing: `dagster-daemon run` on deploy/provinces/workspace.yaml, the
DAGSTER_HOME of deploy/postgres/dagster.yaml, the queue fed by `dagster job backfill`, province
data written by the sample generator, the previous numbers of the broken province built by
`python -m reform_pipeline.run --province`.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from reform_pipeline_tests.postgres import write_postgres_dagster_home
from reform_pipeline_tests.processes import stop_group

REPO = Path(__file__).resolve().parents[2]
WORKSPACE = REPO / "deploy" / "provinces" / "workspace.yaml"
PROVINCES = {"01": "Thành phố Hà Nội", "48": "Thành phố Đà Nẵng", "56": "Tỉnh Khánh Hòa",
             "79": "Thành phố Hồ Chí Minh", "96": "Tỉnh Cà Mau"}
BROKEN = "96"
NIGHT = "2026-12-05"
WAIT_SECONDS = 900
PARALLEL = 4


def _generate(raw: Path, seed: int, dossiers: int) -> None:
    subprocess.run([sys.executable, "-m", "reform_pipeline.sample", "--out", str(raw), "--start", "2026-09-01",
                    "--end", "2026-11-30", "--dossiers", str(dossiers), "--seed", str(seed), "--quiet",
                    "--manifest", str(raw.parent / "manifest.json")],
                   cwd=REPO, check=True, timeout=300)


def _mart_tables(con, alias: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'mart' ORDER BY 1",
        [alias]).fetchall()]


def _runs(home) -> list:
    from dagster import RunsFilter

    with home.instance() as instance:
        return [(r.dagster_run, r.start_time, r.end_time) for r in instance.get_run_records(filters=RunsFilter())]


def _wait_for(home, done, daemon: subprocess.Popen, what: str, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = _runs(home)
        if done(runs):
            return runs
        assert daemon.poll() is None, f"the daemon stopped ({daemon.returncode}) while waiting for {what}"
        time.sleep(3)
    summary = [(r.job_name, r.tags.get("dagster/partition"), r.status.value) for r, _, _ in _runs(home)]
    raise AssertionError(f"timed out waiting for {what}: {summary}")


@pytest.mark.timeout(WAIT_SECONDS + 300)
def test_provinces_through_the_queue_on_postgresql(postgres_database, tmp_path):
    root = tmp_path / "provinces"
    root.mkdir()
    (root / "provinces.csv").write_text(
        "code,name,raw_dir\n" + "".join(f"{code},{name},\n" for code, name in PROVINCES.items()), encoding="utf-8")
    for seed, code in enumerate(PROVINCES, start=11):
        _generate(root / code / "raw", seed, 2000 + 500 * seed % 3000)
    home = write_postgres_dagster_home(tmp_path / "dagster_home", postgres_database)
    # the queue's limit, set the way `make provinces-home PARALLEL=4` sets it
    config = home.path / "dagster.yaml"
    subprocess.run(["sed", "-i", f"s/^    max_concurrent_runs: .*/    max_concurrent_runs: {PARALLEL}/", str(config)],
                   check=True)
    assert f"max_concurrent_runs: {PARALLEL}" in config.read_text()
    env = {**os.environ, **home.env, "REFORM_PROVINCES_DIR": str(root), "REFORM_LOCK_WAIT_SECONDS": "120"}
    for name in ("REFORM_RAW_DIR", "REFORM_WAREHOUSE", "REFORM_BI_DB", "REFORM_PROVINCES_FILE", "REFORM_AS_OF"):
        env.pop(name, None)

    # the broken province had a good night before: its numbers are what the national file keeps
    first = subprocess.run([sys.executable, "-m", "reform_pipeline.run", "--province", BROKEN], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    broken_bi = root / BROKEN / "bi" / "reform_bi.duckdb"
    broken_before = broken_bi.read_bytes()
    # tonight its procedures file is gone: its run fails, and only its run
    (root / BROKEN / "raw" / "procedures.csv").rename(root / BROKEN / "procedures.csv.away")

    daemon = subprocess.Popen([str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", str(WORKSPACE)],
                              cwd=REPO, env=env, stdout=open(tmp_path / "daemon.log", "w"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        queued = subprocess.run(
            [str(Path(sys.executable).with_name("dagster")), "job", "backfill", "-w", str(WORKSPACE),
             "-j", "province_refresh", "--partitions", ",".join(PROVINCES), "--noprompt",
             "--tags", json.dumps({"reform/night": NIGHT})],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert queued.returncode == 0, queued.stdout + queued.stderr

        def national_finished(runs):
            return any(r.job_name == "national_rollup" and r.status.value in ("SUCCESS", "FAILURE") for r, _, _ in runs)

        runs = _wait_for(home, national_finished, daemon, "the night's province runs and the national roll-up")
    finally:
        stop_group(daemon)

    night = [(r, start, end) for r, start, end in runs
             if r.job_name == "province_refresh" and r.tags.get("reform/night") == NIGHT]
    status = {r.tags["dagster/partition"]: r.status.value for r, _, _ in night}
    assert status == {**{code: "SUCCESS" for code in PROVINCES}, BROKEN: "FAILURE"}, status
    # every run went through the queue and ran as a process of its own
    assert len({r.tags.get("reform/worker_pid") for r, _, _ in night}) == len(PROVINCES)
    # four at once, never more: the fifth waited in the queue
    events = sorted([(start, 1) for _, start, _ in night] + [(end, -1) for _, _, end in night])
    running, most = 0, 0
    for _, step in events:
        running += step
        most = max(most, running)
    assert most == PARALLEL, f"{most} province runs at once (max_concurrent_runs is {PARALLEL})"
    national_run = next(r for r, _, _ in runs if r.job_name == "national_rollup")
    assert national_run.status.value == "SUCCESS"
    assert national_run.tags.get("dagster/sensor_name") == "national_after_provinces"
    assert national_run.tags.get("reform/night") == NIGHT
    # the broken province's published file was left byte for byte
    assert broken_bi.read_bytes() == broken_before

    national = root / "national" / "reform_national.duckdb"
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{national}' AS nat (READ_ONLY)")
        provinces = {r[0]: r[1:] for r in con.execute(
            "SELECT province_code, status, as_of, last_run_status FROM nat.mart.provinces").fetchall()}
        assert set(provinces) == set(PROVINCES)
        for code in PROVINCES:
            con.execute(f"ATTACH '{root / code / 'bi' / 'reform_bi.duckdb'}' AS p{code} (READ_ONLY)")
            as_of = con.execute(f"SELECT max(as_of) FROM p{code}.mart.run_info").fetchone()[0]
            assert provinces[code][1] == as_of
            if code == BROKEN:
                assert provinces[code][0] != "current" and provinces[code][2] == "FAILURE"
            else:
                assert provinces[code][0] == "current" and provinces[code][2] == "SUCCESS"
            # every mart table of the province, row for row, under its code in the national file
            for table in _mart_tables(con, f"p{code}"):
                columns = ", ".join(f'"{c[0]}"' for c in con.execute(
                    f"SELECT column_name FROM duckdb_columns() WHERE database_name = 'p{code}' "
                    f"AND schema_name = 'mart' AND table_name = '{table}' ORDER BY column_index").fetchall())
                mine = f"SELECT {columns} FROM p{code}.mart.{table}"
                theirs = f"SELECT {columns} FROM nat.mart.{table} WHERE province_code = '{code}'"
                for a, b in ((mine, theirs), (theirs, mine)):
                    extra = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0]
                    assert extra == 0, f"mart.{table} of province {code}: {extra} rows differ"
        ranked = [r[0] for r in con.execute(
            "SELECT province_code FROM nat.mart.national_766_ranking ORDER BY rank, province_code").fetchall()]
        assert set(ranked) <= set(PROVINCES) and len(ranked) >= len(PROVINCES) - 1
    finally:
        con.close()
    page = (root / "national" / "scorecard.html").read_text(encoding="utf-8")
    assert all(name in page for name in PROVINCES.values())
