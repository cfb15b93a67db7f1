"""The 34-province benchmark (benchmarks/provinces.py): the split of a national set into provinces
must give each one a valid tree and every export row exactly once, and the runner must measure
province runs one or two at a time and the national roll-up."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_longest_first_projection_and_the_allocation_by_weight():
    provinces = load("provinces")
    seconds = {"a": 10.0, "b": 9.0, "c": 8.0, "d": 1.0}
    assert provinces.lpt(seconds, 1)[0] == 28.0
    makespan, machines = provinces.lpt(seconds, 2)
    assert makespan == 17.0 and machines == [["a", "d"], ["b", "c"]]
    assert provinces.lpt(seconds, 4)[0] == 10.0
    rows = provinces.projection(seconds, 5.0)
    assert [(r["machines"], r["provinces_s"], r["with_national_s"]) for r in rows] == [
        (1, 28.0, 33.0), (2, 17.0, 22.0), (4, 10.0, 15.0)]
    # contiguous runs of items whose sizes follow the weights; every province gets one
    items = [(str(i), 1.0) for i in range(100)]
    chosen = provinces.allocate(items, [3.0, 1.0])
    assert chosen == sorted(chosen) and 70 <= chosen.count(0) <= 80
    assert provinces.allocate(items[:3], [100.0, 1.0, 1.0]) == [0, 1, 2]


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_a_tiny_national_set_split_into_provinces_and_run(tmp_path):
    import duckdb

    raw = tmp_path / "national" / "raw"
    generated = subprocess.run(
        [sys.executable, "-m", "reform_pipeline.sample", "--dossiers", "3000", "--tree", "national",
         "--format", "parquet", "--files-per", "month", "--start", "2023-01-01", "--end", "2025-12-31",
         "--out", str(raw), "--quiet"], check=False, capture_output=True, text=True, timeout=300, cwd=BENCHMARKS.parent)
    assert generated.returncode == 0, generated.stderr
    results = tmp_path / "RESULTS_PROVINCES.md"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "provinces.py"), "--source", str(raw), "--provinces", "56,79",
         "--data-dir", str(tmp_path), "--modes", "two,national", "--results", str(results)],
        check=False, capture_output=True, text=True, timeout=600, cwd=BENCHMARKS.parent)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    set_dir = tmp_path / "provinces-56-79-3000-parquet"
    source_rows = duckdb.execute("SELECT count(*) FROM read_parquet(?)", [str(raw / "dossiers_*.parquet")]).fetchone()[0]
    split_rows = duckdb.execute("SELECT count(*) FROM read_parquet(?)",
                                [str(set_dir / "*" / "raw" / "dossiers_*.parquet")]).fetchone()[0]
    assert split_rows == source_rows
    for code in ("56", "79"):
        agencies = _rows(set_dir / code / "raw" / "agencies.csv")
        by_code = {a["agency_code"]: a for a in agencies}
        roots = [a for a in agencies if not a["parent_code"]]
        assert [r["agency_code"] for r in roots] == [f"000.00.00.T{code}"] and not roots[0]["valid_to"]
        for unit in agencies:
            if unit["parent_code"]:  # its parent is in the file and alive over the unit's whole life
                parent = by_code[unit["parent_code"]]
                assert not parent["valid_to"] or (unit["valid_to"] and unit["valid_to"] <= parent["valid_to"])
                assert not parent["valid_from"] or (unit["valid_from"] and unit["valid_from"] >= parent["valid_from"])
        for change in _rows(set_dir / code / "raw" / "unit_changes.csv"):
            assert change["agency_code"] in by_code and change["successor_code"] in by_code
        for target in _rows(set_dir / code / "raw" / "targets.csv"):
            assert target["scope_code"] in by_code

    measured = json.loads(results.with_suffix(".json").read_text())
    pool = measured["modes"]["two at once"]
    assert pool["slots"] == 2 and set(pool["provinces"]) == {"56", "79"}
    for figures in pool["provinces"].values():
        assert figures["exit"] == 0 and figures["seconds"] > 0 and figures["peak"] > 0
        assert figures["quarantine_as_planted"] is True
    assert sum(f["dossiers"] for f in pool["provinces"].values()) == 3000
    assert sum(f["rows"] for f in pool["provinces"].values()) == source_rows
    # the two ran together: the second started before the first finished
    starts = sorted((f["started"], f["started"] + f["seconds"]) for f in pool["provinces"].values())
    assert starts[1][0] < starts[0][1]
    assert pool["peak"] >= max(f["peak"] for f in pool["provinces"].values())
    assert measured["national"]["seconds"] > 0
    assert measured["reference_before"]["duckdb_100m_hash_s"] > 0 and measured["reference_after"]
    text = results.read_text()
    assert "| two at once | 2 |" in text and "| 79 | Thành phố Hồ Chí Minh |" in text
