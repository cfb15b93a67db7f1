"""Benchmarks at provincial and national scale; writes benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/bench.py                 # 1M and 10M dossiers, Parquet
    .venv/bin/python benchmarks/bench.py --sizes 1M --formats parquet,csv
    .venv/bin/python benchmarks/bench.py --with-50m      # adds 50M (long: generation alone ~10 min)
    .venv/bin/python benchmarks/bench.py --tree province --sizes 1M,2.25M   # one province's tree

For each size and format it
1. generates a set with the sample generator unless it is already there (benchmarks/data/,
   ignored by git): one export per day over 2023–2025, on the national benchmark tree (~3,300
   communes, the default) or, with ``--tree province``, on one province's tree (Khánh Hòa's
   164 units), where 2.25M dossiers are that province's three years at ~750,000 a year;
2. times every stage without Dagster (benchmarks/stages.py) in a fresh warehouse;
3. times a full run the way a user starts it (`python -m reform_pipeline.run`, Dagster
   included) in another fresh warehouse, with a Dagster instance that already exists (as every
   run after a deployment's first; the first run's cost of creating the instance's SQLite
   storage is measured apart); up to 2.25M dossiers it runs three times and reports the median and
   each run, since a 2-core virtual machine's timings vary by several seconds;
4. drops one new export of 3,000 rows (half updates of existing dossiers, one of them from the
   first export, half new ones) on top and times the ingest stage alone and a full run again
   (the nightly case);
5. times a minimal hand-written DuckDB query over the same files (a lower bound: one scan);
6. measures Dagster's own overhead: importing the code location, creating a new instance, and
   each full run split by its own event log (benchmarks/run_steps.py) into the time outside the
   run, between its steps, in its check steps and in its asset steps;
7. times two fixed workloads that do not depend on the project (a DuckDB aggregate over 100M
   integers, a Python loop), so that figures from different machines can be compared; the
   DuckDB one also before each set, with the time each set was measured.
Peak memory is the largest sum of RSS over the process and all its children, sampled every
50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SET_START, SET_END = "2023-01-01", "2025-12-31"
SIZES = {"1M": 1_000_000, "2.25M": 2_250_000, "10M": 10_000_000, "50M": 50_000_000}
# benchmark tree -> the sample generator's --tree
TREES = {"national": "national", "province": "khanhhoa"}
NEW_EXPORT_ROWS = 3_000


def measure(command: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, int, str]:
    """Wall seconds, peak RSS of the whole process tree (bytes), and stdout of ``command``.

    The files written before (a generated set, the previous run's warehouse and BI file) are
    flushed to disk first, outside the timing: otherwise the command pays for their writeback,
    and every commit it makes waits behind it (a nightly ingest on 10M took 0.82–1.30 s right
    after copying its warehouse, 0.69–0.71 s after a sync)."""
    os.sync()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out,
                                   stderr=subprocess.PIPE, text=True)
        root = psutil.Process(process.pid)
        peak = 0
        while process.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        stderr = process.stderr.read()
        out.seek(0)
        stdout = out.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    return seconds, peak, stdout


def generate(size: str, fmt: str, data_dir: Path, tree: str = "national") -> Path:
    raw = data_dir / f"{tree}-{SIZES[size]}-{fmt}" / "raw"
    if (raw / "agencies.csv").exists():
        return raw
    print(f"generating {size} dossiers as {fmt} on the {tree} tree in {raw} …", flush=True)
    # the benchmark sets keep their span, 2023–2025, whatever the sample's default: on the national
    # tree districts end and communes merge 3 to 1 on 2024-06-30, halfway
    seconds, peak, _ = measure([PYTHON, "-m", "reform_pipeline.sample", "--dossiers", str(SIZES[size]),
                                "--format", fmt, "--tree", TREES[tree], "--files-per", "day",
                                "--start", SET_START, "--end", SET_END, "--out", str(raw), "--quiet"])
    print(f"  generated in {seconds:.0f} s, peak {peak / 2**30:.2f} GiB", flush=True)
    return raw


def add_new_export(raw: Path, fmt: str) -> Path:
    """One more nightly export: 1,500 updates of stored dossiers, 1,500 new ones.

    The updates are later versions of dossiers of the last export, and one of a dossier of the
    first export: a late change to an old dossier, which makes the merge look in the oldest
    part of the history as well as in the recent one."""
    exports = sorted(raw.glob(f"dossiers_*.{fmt}"))
    first, last = exports[0], exports[-1]
    day = dt.datetime.strptime(last.stem.split("_")[1], "%Y%m%d").date() + dt.timedelta(days=1)
    target = raw / f"dossiers_{day:%Y%m%d}.{fmt}"
    half = NEW_EXPORT_ROWS // 2
    con = duckdb.connect()
    for name, path in (("first_export", first), ("last_export", last)):
        reader = con.read_parquet(str(path)) if fmt == "parquet" else con.read_csv(str(path), all_varchar=True)
        reader.create_view(name)
    con.execute(f"CREATE TABLE rows AS SELECT * FROM last_export USING SAMPLE {half - 1} ROWS (reservoir, 42)")
    con.execute("INSERT INTO rows SELECT * FROM first_export USING SAMPLE 1 ROWS (reservoir, 42)")
    # the updates are later versions of the same dossiers (the old one's dated the export's day),
    # the others new dossiers
    if fmt == "parquet":
        later = con.sql("SELECT * REPLACE (greatest(updated_at + INTERVAL 1 DAY, CAST($day AS TIMESTAMP)) "
                        "AS updated_at) FROM rows", params={"day": day})
    else:
        later = con.sql("SELECT * FROM rows")
    updates = later.to_arrow_table()
    # the new dossiers' ids in the one-stop systems' form, received on the export's day: the
    # unit code marked with an N (so they cannot repeat a stored id), the day, a 4-digit number.
    # The generator's Parquet uses canonical names, its CSV the systems' PascalCase ones.
    id_column = "dossier_id" if fmt == "parquet" else "MaHoSo"
    new_id = (f"regexp_replace({id_column}, '-[0-9]{{6}}-[0-9]+$', '') || $marker "
              f"|| lpad(CAST(row_number() OVER () AS VARCHAR), 4, '0')")
    fresh = con.sql(f"SELECT * REPLACE ({new_id} AS {id_column}) FROM rows",
                    params={"marker": f"N-{day:%y%m%d}-"}).to_arrow_table()
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pa.concat_tables([updates, fresh]).slice(0, 2 * half)
    if fmt == "parquet":
        pq.write_table(table, target)
    else:
        pacsv.write_csv(table, target)
    return target


def stage_run(raw: Path, work: Path, only: str = "all") -> tuple[dict, float, int]:
    seconds, peak, out = measure([PYTHON, str(ROOT / "benchmarks" / "stages.py"), "--raw", str(raw),
                                  "--warehouse", str(work / "reform.duckdb"), "--bi",
                                  str(work / "bi" / "reform_bi.duckdb"), "--only", only])
    return json.loads(out.strip().splitlines()[-1]), seconds, peak


INSTANCE_SNIPPET = "from dagster import DagsterInstance; DagsterInstance.get().get_runs(limit=1)"


def open_instance(home: Path) -> float:
    """Seconds to open the Dagster instance of ``home`` in a fresh process (creating its
    storage, with the deployment's dagster.yaml, when it is new)."""
    if not (home / "dagster.yaml").exists():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    seconds, _, _ = measure([PYTHON, "-c", INSTANCE_SNIPPET], {"DAGSTER_HOME": str(home)})
    return seconds


def dagster_home(scratch: Path) -> Path:
    """The DAGSTER_HOME of a benchmark's runs, its instance storage already created."""
    home = scratch / "dagster_home"
    if not (home / "dagster.yaml").exists():
        open_instance(home)
    return home


def user_run(raw: Path, work: Path, home: Path) -> tuple[float, int]:
    """``python -m reform_pipeline.run`` on ``raw``, with the warehouse and BI file in ``work``."""
    env = {"REFORM_RAW_DIR": str(raw), "REFORM_WAREHOUSE": str(work / "reform.duckdb"),
           "REFORM_BI_DB": str(work / "bi" / "reform_bi.duckdb"), "DAGSTER_HOME": str(home)}
    seconds, peak, _ = measure([PYTHON, "-m", "reform_pipeline.run"], env)
    return seconds, peak


def run_breakdown(home: Path, wall: float) -> dict:
    """The newest run's steps from its own event log (benchmarks/run_steps.py), and the part of
    its wall time spent outside the run: interpreter, imports, instance, the printed summary."""
    _, _, out = measure([PYTHON, str(ROOT / "benchmarks" / "run_steps.py")], {"DAGSTER_HOME": str(home)})
    breakdown = json.loads(out.strip().splitlines()[-1])
    breakdown["outside_run"] = wall - breakdown["span"]
    return breakdown


def fresh_user_runs(raw: Path, scratch: Path, repeat: int) -> tuple[list[float], int, Path, list[dict]]:
    """``repeat`` full runs, each in a fresh warehouse; the last one's folder is kept."""
    home = dagster_home(scratch)
    walls, peak, breakdowns = [], 0, []
    for attempt in range(repeat):
        work = scratch / f"run{attempt}"
        seconds, run_peak = user_run(raw, work, home)
        walls.append(seconds)
        breakdowns.append(run_breakdown(home, seconds))
        peak = max(peak, run_peak)
        if attempt < repeat - 1:
            shutil.rmtree(work)
    return walls, peak, work, breakdowns


def median_run(walls: list[float], breakdowns: list[dict]) -> dict:
    """The breakdown of the run whose wall time is the median (the nearest, for an even count)."""
    middle = statistics.median(walls)
    return min(zip(walls, breakdowns), key=lambda pair: abs(pair[0] - middle))[1]


def new_instance_seconds(scratch: Path) -> float:
    """Creating a Dagster instance in an empty DAGSTER_HOME (a deployment's first run only)
    minus opening one that exists."""
    home = scratch / "new_home"
    created = open_instance(home)
    return created - open_instance(home)


def duckdb_reference_seconds() -> float:
    """A fixed DuckDB workload on all cores: ``sum(hash(i) % 1000)`` over 100M integers."""
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute("SELECT sum(hash(i) % 1000) FROM range(100000000) AS t(i)").fetchall()
    return time.perf_counter() - started


def machine_reference() -> dict:
    """Two fixed workloads, to compare machines: DuckDB on all cores, Python on one."""
    duck = duckdb_reference_seconds()
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return {"duckdb_100m_hash_s": duck, "python_10m_loop_s": time.perf_counter() - started}


def lower_bound(raw: Path, fmt: str) -> float:
    """One scan of every export: count rows per agency and month. No validation, no writes."""
    con = duckdb.connect()
    files = sorted(str(p) for p in raw.glob(f"dossiers_*.{fmt}"))
    relation = con.read_parquet(files) if fmt == "parquet" else con.read_csv(files, all_varchar=True)
    relation.create_view("exports")
    query = ("SELECT agency_code, date_trunc('month', CAST(received_at AS TIMESTAMP)) AS month, count(*) "
             "FROM exports GROUP BY ALL" if fmt == "parquet" else
             "SELECT MaDonVi, date_trunc('month', TRY_CAST(NgayTiepNhan AS TIMESTAMP)) AS month, count(*) "
             "FROM exports GROUP BY ALL")
    started = time.perf_counter()
    con.execute(query).fetchall()
    return time.perf_counter() - started


def import_seconds() -> float:
    seconds, _, _ = measure([PYTHON, "-c", "import reform_pipeline.definitions"])
    return seconds


@contextlib.contextmanager
def new_export(raw: Path, fmt: str) -> Iterator[Path]:
    """One nightly export (add_new_export) in ``raw`` for the time of the block, removed after."""
    path = add_new_export(raw, fmt)
    try:
        yield path
    finally:
        path.unlink()


def nightly_ingest_on(raw: Path, work: Path) -> dict:
    """The ingest stage alone on the warehouse of ``work``, which already holds the history."""
    nightly_ingest, _, peak = stage_run(raw, work, only="ingest")
    return {"nightly_ingest": nightly_ingest["stages"][0], "nightly_ingest_peak": peak}


def bench(size: str, fmt: str, data_dir: Path, run_only: bool = False, repeat: int | None = None,
          tree: str = "national") -> dict:
    raw = generate(size, fmt, data_dir, tree)
    label = f"{size} {fmt} {tree}"
    result: dict = {"size": size, "format": fmt, "tree": tree, "files": len(list(raw.glob("dossiers_*"))),
                    "measured_at": f"{dt.datetime.now():%Y-%m-%d %H:%M}",
                    "reference_s": round(duckdb_reference_seconds(), 2)}
    with tempfile.TemporaryDirectory(prefix="reform-bench-", dir=data_dir) as scratch:
        scratch = Path(scratch)
        if run_only:
            print(f"{label}: full run as a user starts it …", flush=True)
            walls, result["run_peak"], work, breakdowns = fresh_user_runs(raw, scratch, 1)
            result["run_wall"], result["run_breakdown"] = walls[0], breakdowns[0]
            with duckdb.connect(str(work / "reform.duckdb"), read_only=True) as con:
                result["rows"], result["dossiers"] = con.execute(
                    "SELECT (SELECT sum(rows_read) FROM meta.input_files WHERE kind = 'dossiers'),"
                    " (SELECT count(*) FROM staging.dossiers)").fetchone()
            # the nightly ingest still runs on top of this history (the target holds at any
            # size), right after the full run as in the full benchmark; the nightly full run's
            # later stages are left out here
            with new_export(raw, fmt):
                print(f"{label}: nightly export of {NEW_EXPORT_ROWS} rows, ingest only …", flush=True)
                result.update(nightly_ingest_on(raw, work))
            result["lower_bound"] = lower_bound(raw, fmt)
            return result
        print(f"{label}: stages …", flush=True)
        stages, seconds, peak = stage_run(raw, scratch / "stages")
        result.update(stages=stages, stages_wall=seconds, stages_peak=peak)
        repeat = repeat or (3 if SIZES[size] <= SIZES["2.25M"] else 1)
        print(f"{label}: full run as a user starts it, {repeat}× …", flush=True)
        walls, result["run_peak"], work, breakdowns = fresh_user_runs(raw, scratch, repeat)
        result["run_walls"] = walls
        result["run_wall"] = statistics.median(walls)
        result["run_breakdown"] = median_run(walls, breakdowns)
        with new_export(raw, fmt):
            print(f"{label}: nightly export of {NEW_EXPORT_ROWS} rows …", flush=True)
            result.update(nightly_ingest_on(raw, work))
            result["nightly_run_wall"], result["nightly_run_peak"] = user_run(raw, work, dagster_home(scratch))
        result["lower_bound"] = lower_bound(raw, fmt)
    return result


def gib(value: int) -> str:
    return f"{value / 2**30:.2f}"


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "–"


def tree_of(result: dict) -> str:
    """The set's tree; sets measured before the tree was recorded are national."""
    return result.get("tree", "national")


def set_key(result: dict) -> tuple[str, str, str]:
    return result["size"], result["format"], tree_of(result)


def set_cells(result: dict) -> str:
    """The first cells of a set's row in every table of RESULTS.md."""
    return f"| {result['size']} | {tree_of(result)} | {result['format']} |"


def set_order(result: dict) -> tuple:
    return (list(TREES).index(tree_of(result)), list(SIZES).index(result["size"]), result["format"])


def merge_results(earlier: list[dict], measured: list[dict]) -> list[dict]:
    """The sets measured now, and those of earlier invocations that were not measured again."""
    keys = {set_key(r) for r in measured}
    kept = [r for r in earlier if set_key(r) not in keys]
    return sorted(kept + measured, key=set_order)


def reproduce_commands(results: list[dict]) -> list[str]:
    """One command per measured set (their results merge into one RESULTS.md)."""
    commands = []
    for r in results:
        extra = "" if "stages" in r else " --run-only"
        if tree_of(r) != "national":
            extra += f" --tree {tree_of(r)}"
        commands.append(f".venv/bin/python benchmarks/bench.py --sizes {r['size']} --formats {r['format']}{extra}")
    return commands


def write_results(results: list[dict], overhead: dict, path: Path) -> None:
    memory = psutil.virtual_memory().total
    lines = [
        "# Benchmark results",
        "",
        f"Written {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.node() or 'this machine'}: "
        f"{psutil.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"{gib(memory)} GiB RAM, Python {platform.python_version()}, DuckDB {duckdb.__version__}.",
        f"Machine reference (fixed workloads, to compare machines): DuckDB `sum(hash(i) % 1000)` over "
        f"100M integers {overhead['reference']['duckdb_100m_hash_s']:.2f} s; a Python loop of 10M "
        f"additions {overhead['reference']['python_10m_loop_s']:.2f} s.",
        "",
        "Reproduce:",
        "",
        "```sh",
        "make setup",
        *reproduce_commands(results),
        "```",
        "",
        "Sets: one export per day over 2023–2025, on the sample generator's national tree (1 root,",
        "700 districts, 3,300 communes: the targets' sets) or on one province's tree (*province*:",
        "Khánh Hòa's 164 units, 132 of them communes; 2.25M dossiers are its three years at about",
        "750,000 a year). Each dossier appears in about two exports (receipt, then its final",
        "state), so a set has about twice as many rows as dossiers. The unit × period × metric grid",
        "follows the tree, not the dossiers: 3.5M rows on the national tree, 142,000 on the",
        "province's. Peak memory is the whole process tree's RSS.",
        "",
        "## Full runs",
        "",
        "A run as a user starts it: `python -m reform_pipeline.run` in a fresh warehouse, with an",
        "existing `DAGSTER_HOME` (a deployment's very first run also creates the instance storage:",
        "see Dagster's own overhead below). Where it ran more than once, the median, then each run.",
        "*Measured*: when that set's benchmark started; *reference*: the DuckDB reference workload",
        "timed just before it, so that sets measured at different times can be compared.",
        "",
        "| set | tree | format | files | export rows | dossiers | stages (no Dagster) s | run as a user starts it s | runs s | run peak GiB | lower bound: one scan s | measured | reference s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows = r["stages"]["stages"][0]["rows"] if "stages" in r else r["rows"]
        dossiers = r["stages"]["dossiers"] if "stages" in r else r["dossiers"]
        stages = f"{r['stages_wall']:.1f}" if "stages" in r else "not run"
        # sets measured before these two were recorded show a dash
        reference = f"{r['reference_s']:.2f}" if "reference_s" in r else "–"
        lines.append(
            f"{set_cells(r)} {r['files']} | {rows:,} | {dossiers:,} | "
            f"{stages} | {r['run_wall']:.1f} | {', '.join(f'{w:.1f}' for w in r.get('run_walls', [r['run_wall']]))} | "
            f"{gib(r['run_peak'])} | {r['lower_bound']:.1f} | {r.get('measured_at', '–')} | {reference} |"
        )
    lines += ["", "## Stage by stage (benchmarks/stages.py, no Dagster)", "",
              "| set | tree | format | stage | seconds | rows in | rows/s |", "|---|---|---|---|---|---|---|"]
    for r in (r for r in results if "stages" in r):
        for stage in r["stages"]["stages"]:
            lines.append(f"{set_cells(r)} {stage['stage']} | {stage['seconds']:.2f} | "
                         f"{stage['rows']:,} | {rate(stage['rows'], stage['seconds'])} |")
    lines += ["", f"## Nightly run: one new export of {NEW_EXPORT_ROWS:,} rows on top of the history", "",
              "| history | tree | format | ingest s | ingest peak GiB | full run s |", "|---|---|---|---|---|---|"]
    for r in (r for r in results if "nightly_ingest" in r):
        full_run = f"{r['nightly_run_wall']:.1f}" if "nightly_run_wall" in r else "not run"
        lines.append(f"{set_cells(r)} {r['nightly_ingest']['seconds']:.2f} | "
                     f"{gib(r['nightly_ingest_peak'])} | {full_run} |")
    lines += ["", "## Dagster's own overhead", "",
              f"- importing the code location (`import reform_pipeline.definitions`, a fresh process): "
              f"{overhead['import']:.1f} s",
              f"- creating the instance in a new, empty `DAGSTER_HOME` (a deployment's first run only), "
              f"beyond opening an existing one: {overhead['new_instance']:.1f} s",
              ]
    lines += run_breakdown_lines(results)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_breakdown_lines(results: list[dict]) -> list[str]:
    """Each full run (the median one, where it ran more than once) split by its own event log."""
    measured = [r for r in results if "run_breakdown" in r]
    if not measured:
        return []
    lines = ["", "Each full run split by its own event log (benchmarks/run_steps.py; the median run where it",
             "ran more than once). *Outside the run*: the interpreter, the imports, opening the",
             "instance, launching the run and printing its summary. *Between steps*: Dagster's events",
             "and the pool slot each step claims. The asset steps are the compute, with the metadata",
             "each asset reports.", "",
             "| set | tree | format | run s | outside the run s | between steps s | check steps s | asset steps s | largest asset steps s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in measured:
        b = r["run_breakdown"]
        assets = sorted(((s["seconds"], k) for k, s in b["steps"].items() if s["kind"] == "asset"), reverse=True)
        checks = sum(1 for s in b["steps"].values() if s["kind"] == "check")
        largest = ", ".join(f"{key} {seconds:.1f}" for seconds, key in assets[:4])
        lines.append(f"{set_cells(r)} {r['run_wall']:.1f} | {b['outside_run']:.1f} | "
                     f"{b['between_steps']:.1f} | {b['check_steps']:.1f} ({checks}) | {b['asset_steps']:.1f} | "
                     f"{largest} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1M,10M", help=f"comma-separated: {', '.join(SIZES)} (default 1M,10M)")
    parser.add_argument("--with-50m", action="store_true", help="also 50M dossiers (about 100M rows)")
    parser.add_argument("--formats", default="parquet", help="comma-separated: parquet, csv")
    parser.add_argument("--tree", choices=list(TREES), default="national",
                        help="national: the benchmark tree of ~3,300 communes (the targets' sets); "
                             "province: Khánh Hòa's 164 units")
    parser.add_argument("--run-only", action="store_true",
                        help="only the full run, the lower bound and the nightly ingest (no stage-by-stage "
                             "run, no nightly full run)")
    parser.add_argument("--repeat", type=int, help="full runs per set (default: 3 up to 1M, else 1)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "data")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    sizes = [s for s in args.sizes.split(",") if s] + (["50M"] if args.with_50m else [])
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}: expected {', '.join(SIZES)}")
    # absolute: DAGSTER_HOME, set to a folder under it, must be an absolute path
    args.data_dir = args.data_dir.resolve()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    results = [bench(size, fmt, args.data_dir, args.run_only, args.repeat, args.tree)
               for size in sizes for fmt in args.formats.split(",")]
    # keep earlier sets' figures (e.g. a separate --sizes 50M run) unless measured again now
    saved = args.data_dir / "results.json"
    earlier = json.loads(saved.read_text()) if saved.exists() else []
    results = merge_results(earlier, results)
    saved.write_text(json.dumps(results, indent=1, default=str))
    with tempfile.TemporaryDirectory(prefix="reform-bench-", dir=args.data_dir) as scratch:
        overhead = {"import": import_seconds(), "new_instance": new_instance_seconds(Path(scratch)),
                    "reference": machine_reference()}
    write_results(results, overhead, args.results)
    print(args.results.read_text())


if __name__ == "__main__":
    main()
