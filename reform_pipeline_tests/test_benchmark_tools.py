"""The benchmark's reading of a run's event log (benchmarks/run_steps.py, bench.py): Dagster's
own overhead is read off the same run as its compute, so the split must add up."""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

from dagster import AssetCheckResult, DagsterInstance, asset, asset_check, materialize

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SAMPLE = BENCHMARKS.parent / "data" / "raw"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@asset
def slow_upstream() -> int:
    time.sleep(0.3)
    return 1


@asset
def downstream(slow_upstream: int) -> int:
    return slow_upstream + 1


@asset_check(asset=slow_upstream)
def upstream_is_positive() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def test_step_breakdown_splits_a_run_into_asset_check_and_between_steps():
    run_steps = load("run_steps")
    instance = DagsterInstance.ephemeral()
    result = materialize([slow_upstream, downstream, upstream_is_positive], instance=instance)
    assert result.success
    breakdown = run_steps.step_breakdown(instance.all_logs(result.run_id))

    kinds = {key: step["kind"] for key, step in breakdown["steps"].items()}
    assert kinds == {"slow_upstream": "asset", "downstream": "asset", "slow_upstream_upstream_is_positive": "check"}
    assert breakdown["steps"]["slow_upstream"]["seconds"] >= 0.3
    assert breakdown["asset_steps"] >= 0.3
    assert breakdown["check_steps"] > 0
    assert breakdown["between_steps"] >= 0
    total = breakdown["asset_steps"] + breakdown["check_steps"] + breakdown["between_steps"]
    assert abs(total - breakdown["span"]) < 1e-6


def test_the_median_run_and_its_line_in_results():
    bench = load("bench")
    breakdowns = [{"name": "fast"}, {"name": "middle"}, {"name": "slow"}]
    assert bench.median_run([20.0, 21.5, 30.0], breakdowns)["name"] == "middle"
    assert bench.median_run([20.0, 30.0], breakdowns[:2])["name"] in ("fast", "middle")

    result = {"size": "1M", "format": "parquet", "run_wall": 21.3, "run_breakdown": {
        "span": 18.0, "outside_run": 3.3, "between_steps": 0.5, "check_steps": 1.0, "asset_steps": 16.5,
        "steps": {"dossiers": {"seconds": 7.0, "kind": "asset"}, "unit_metrics": {"seconds": 3.5, "kind": "asset"},
                  "dossiers_rows_accounted_for": {"seconds": 1.0, "kind": "check"}}}}
    lines = bench.run_breakdown_lines([result, {"size": "50M", "format": "parquet", "run_wall": 600.0}])
    rows = [line for line in lines if line.startswith("| 1M")]
    assert rows == ["| 1M | national | parquet | 21.3 | 3.3 | 0.5 | 1.0 (1) | 16.5 | dossiers 7.0, unit_metrics 3.5 |"]
    assert not any(line.startswith("| 50M") for line in lines)  # measured before breakdowns existed


def test_results_say_when_each_set_was_measured(tmp_path):
    bench = load("bench")
    earlier = {"size": "50M", "format": "parquet", "files": 1, "rows": 10, "dossiers": 5, "run_wall": 600.0,
               "run_peak": 2**30, "lower_bound": 5.5}
    today = {**earlier, "size": "1M", "measured_at": "2026-12-01 21:23", "reference_s": 0.68}
    path = tmp_path / "RESULTS.md"
    bench.write_results([today, earlier], {"import": 1.3, "new_instance": 0.4, "reference": {
        "duckdb_100m_hash_s": 0.7, "python_10m_loop_s": 0.4}}, path)
    rows = [line for line in path.read_text().splitlines() if line.startswith(("| 1M | national | parquet | 1 |", "| 50M"))]
    assert rows[0].endswith("| 2026-12-01 21:23 | 0.68 |")
    assert rows[1].endswith("| 5.5 | – | – |")


def test_province_sets_are_kept_apart_from_national_ones(tmp_path):
    """A set is its size, format and tree: a province's 1M does not replace the national 1M, and
    RESULTS.md says which tree each row ran on and how to reproduce it."""
    bench = load("bench")
    national = {"size": "1M", "format": "parquet", "files": 1, "rows": 10, "dossiers": 5, "run_wall": 14.3,
                "run_peak": 2**30, "lower_bound": 0.3}  # measured before the tree was recorded
    province = {**national, "tree": "province", "run_wall": 9.1}
    larger = {**province, "size": "2.25M", "run_wall": 16.0}
    merged = bench.merge_results([national, larger], [province])
    assert [(r["size"], bench.tree_of(r), r["run_wall"]) for r in merged] == [
        ("1M", "national", 14.3), ("1M", "province", 9.1), ("2.25M", "province", 16.0)]
    assert bench.merge_results(merged, [{**province, "run_wall": 8.0}])[1]["run_wall"] == 8.0

    path = tmp_path / "RESULTS.md"
    bench.write_results(merged, {"import": 1.3, "new_instance": 0.4, "reference": {
        "duckdb_100m_hash_s": 0.7, "python_10m_loop_s": 0.4}}, path)
    text = path.read_text()
    assert "| 1M | national | parquet | 1 |" in text and "| 1M | province | parquet | 1 |" in text
    assert "bench.py --sizes 1M --formats parquet --run-only --tree province" in text
    assert "bench.py --sizes 1M --formats parquet --run-only\n" in text


def test_the_nightly_export_updates_stored_dossiers_and_adds_new_ones_dated_its_day(tmp_path):
    """Half the nightly export are later versions of stored dossiers, one of them from the first
    export, half new dossiers whose one-stop ids carry the export's day (the day the merge's key
    leads with) and repeat no stored id; in Parquet and in CSV, where the id column is MaHoSo."""
    import duckdb
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    bench = load("bench")
    old_ids = [f"000.00.{i % 7:02d}.H42-2301{10 + i % 20:02d}-{i:04d}" for i in range(40)]
    ids = [f"000.00.{i % 7:02d}.H42-2512{10 + i % 20:02d}-{i:04d}" for i in range(40)]
    for fmt, id_column in (("parquet", "dossier_id"), ("csv", "MaHoSo")):
        raw = tmp_path / fmt
        raw.mkdir()
        for day, day_ids in (("20230131", old_ids), ("20251231", ids)):
            export = pa.table({id_column: day_ids, "updated_at": pa.array([None] * 40, pa.timestamp("s"))})
            if fmt == "parquet":
                pq.write_table(export, raw / f"dossiers_{day}.parquet")
            else:
                pacsv.write_csv(export, raw / f"dossiers_{day}.csv")
        new = bench.add_new_export(raw, fmt)
        assert new.name == f"dossiers_20260101.{fmt}"
        reader = "read_parquet" if fmt == "parquet" else "read_csv"
        got = [r[0] for r in duckdb.execute(f"SELECT {id_column} FROM {reader}(?)", [str(new)]).fetchall()]
        # a last export smaller than the sample: all its 40 dossiers, the old one, 41 new ones
        assert len(got) == 82 and len(set(got)) == 82
        assert set(got) >= set(ids) and len(set(got) & set(old_ids)) == 1
        fresh = set(got) - set(ids) - set(old_ids)
        assert len(fresh) == 41
        assert all(id_.endswith(tuple(f"N-260101-{k:04d}" for k in range(1, 42))) for id_ in fresh)
        if fmt == "parquet":  # the late change is dated the export's day, so that it wins
            old_version = duckdb.execute(f"SELECT updated_at FROM read_parquet(?) WHERE {id_column} LIKE '%-2301%'",
                                         [str(new)]).fetchall()
            assert old_version == [(dt.datetime(2026, 1, 1),)]


def test_costliest_operators_walks_the_whole_profile_tree():
    profile_statements = load("profile_statements")
    profile = {"operator": [{"type": "INSERT", "timing": 0.5, "intermediate_rows": 1, "children": [
        {"type": "PROJECTION", "timing": 0.1, "intermediate_rows": 10, "children": [
            {"type": "TABLE_SCAN", "timing": 2.0, "intermediate_rows": 10,
             "extra_info": {"Function": "PARQUET_SCAN"}, "children": []}]}]}]}
    ops = profile_statements.costliest_operators(profile, top=2)
    assert [(op["operator"], op["depth"], op["detail"]) for op in ops] == [
        ("TABLE_SCAN", 2, "PARQUET_SCAN"), ("INSERT", 0, "")]


def test_profile_statements_times_and_explains_the_sample(tmp_path):
    """The profiling tool of benchmarks/README.md on the shipped sample: every stage's statements
    are timed, and the one asked for is profiled operator by operator."""
    command = [sys.executable, str(BENCHMARKS / "profile_statements.py"), "--raw", str(SAMPLE),
               "--work", str(tmp_path / "work"), "--explain", "CREATE OR REPLACE TABLE model.dossier_facts AS",
               "--top", "5"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=BENCHMARKS.parent)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    stages = [line.split()[0] for line in out.split("slowest statements")[0].splitlines()[1:] if line.strip()]
    assert stages == ["ingest", "calendar", "unit_history", "dossier_facts", "unit_metrics", "unit_metrics_current",
                      "index_766", "scorecard", "publish"]
    timed = out.split("slowest statements:")[1].split("profile of")[0].splitlines()[2:]
    assert len([line for line in timed if line.strip()]) == 5
    # seconds, share, then the CPU time of each statement: the process's, over DuckDB's threads
    cpu = [float(line.split()[2]) for line in timed if line.strip()]
    assert all(seconds >= 0 for seconds in cpu) and sum(cpu) > 0
    assert "CPU-seconds" in out.split("slowest statements")[0]
    assert "profile of (dossier_facts," in out
    assert "TABLE_SCAN" in out  # the scan of staging.dossier_rows under the facts
    assert list((tmp_path / "work").glob("profile-*.json"))

    missing = subprocess.run(
        [sys.executable, str(BENCHMARKS / "profile_statements.py"), "--raw", str(SAMPLE), "--only", "ingest",
         "--work", str(tmp_path / "other"), "--explain", "no such statement"],
        capture_output=True, text=True, timeout=600, cwd=BENCHMARKS.parent)
    assert missing.returncode == 1
    assert "nothing profiled" in missing.stderr
