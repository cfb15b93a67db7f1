"""Where the stages spend their time, statement by statement (no Dagster).

    .venv/bin/python benchmarks/profile_statements.py --raw benchmarks/data/national-1000000-parquet/raw
    .venv/bin/python benchmarks/profile_statements.py --raw DIR --explain "score.index_766 AS"

Runs the stages of benchmarks/stages.py in this process, in a fresh warehouse, with a timer
around every statement the pipeline sends to DuckDB (``reform_pipeline.warehouse.execute``),
and prints the slowest statements with their stage, their share of the stages' time and the
CPU time the process spent during each (all of DuckDB's threads: on 2 cores a statement that keeps
both busy shows about 2 CPU-seconds per second).

With ``--explain TEXT``, every statement whose text contains TEXT also runs with DuckDB's
profiler on (the figures of ``EXPLAIN ANALYZE``, written as JSON) and its costliest operators
are printed: seconds summed over DuckDB's threads, and the rows each one produced. The JSON
files stay in the work folder for a closer look.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import reform_pipeline.warehouse as warehouse

BENCHMARKS = Path(__file__).resolve().parent


def load_stages():
    spec = importlib.util.spec_from_file_location("benchmarks_stages", BENCHMARKS / "stages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def costliest_operators(profile: dict, top: int) -> list[dict]:
    """The operators of one DuckDB JSON profile, costliest first."""
    found: list[dict] = []

    def walk(node: dict, depth: int) -> None:
        info = node.get("extra_info") or {}
        detail = next((info[key] for key in ("Function", "Join Type", "Table", "Groups", "Aggregates") if key in info), "")
        found.append({"operator": node.get("type") or node.get("operator_type") or "?",
                      "seconds": float(node.get("timing", node.get("operator_timing", 0.0)) or 0.0),
                      "rows": node.get("intermediate_rows", node.get("operator_cardinality")),
                      "depth": depth, "detail": " ".join(str(detail).split())[:80]})
        for child in node.get("children", []):
            walk(child, depth + 1)

    for child in profile.get("operator", profile.get("children", [])):
        walk(child, 0)
    return sorted(found, key=lambda op: -op["seconds"])[:top]


def process_cpu_seconds() -> float:
    """User and system CPU time of this process so far, summed over its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class StatementTimer:
    """Wraps ``warehouse.execute`` (and the modules that imported it by name) to time every
    statement, and to profile the ones that match ``explain``."""

    def __init__(self, explain: str | None, work: Path) -> None:
        self.explain, self.work = explain, work
        self.stage = "?"
        self.timings: list[dict] = []
        self.profiles: list[tuple[dict, Path]] = []
        self.original = warehouse.execute

    def install(self) -> None:
        for module in list(sys.modules.values()):
            name = getattr(module, "__name__", "") or ""
            if name.startswith("reform_pipeline") and getattr(module, "execute", None) is self.original:
                module.execute = self.execute

    def execute(self, con, statement: str, params=None):
        profiled = bool(self.explain) and self.explain in statement
        if profiled:
            path = self.work / f"profile-{len(self.profiles) + 1}.json"
            self.original(con, "SET enable_profiling = 'json'")
            self.original(con, "SET profiling_output = $path", {"path": str(path)})
        started, cpu_started = time.perf_counter(), process_cpu_seconds()
        try:
            return self.original(con, statement, params)
        finally:
            seconds = time.perf_counter() - started
            entry = {"stage": self.stage, "seconds": seconds, "cpu_seconds": process_cpu_seconds() - cpu_started,
                     "statement": " ".join(statement.split())}
            self.timings.append(entry)
            if profiled:
                self.original(con, "PRAGMA disable_profiling")
                self.profiles.append((entry, path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", type=Path, required=True, help="the raw folder to ingest")
    parser.add_argument("--work", type=Path, help="folder for the warehouse, BI file and profiles (default: a new temporary folder)")
    parser.add_argument("--only", choices=["ingest", "all"], default="all")
    parser.add_argument("--explain", metavar="TEXT", help="profile the statements whose text contains TEXT")
    parser.add_argument("--top", type=int, default=20, help="how many statements (and operators) to print")
    args = parser.parse_args()
    if not args.raw.is_dir():
        parser.error(f"no raw folder at {args.raw}")
    work = args.work or Path(tempfile.mkdtemp(prefix="reform-profile-"))
    warehouse_file = work / "reform.duckdb"
    if warehouse_file.exists():
        parser.error(f"{warehouse_file} exists: the stages need a fresh warehouse (choose another --work)")
    work.mkdir(parents=True, exist_ok=True)

    stages = load_stages()
    timer = StatementTimer(args.explain, work)
    timer.install()

    def on_stage(name: str) -> None:
        timer.stage = name
        print(f"{name} …", file=sys.stderr, flush=True)

    result = stages.run_stages(args.raw, warehouse_file, work / "bi" / "reform_bi.duckdb", args.only, on_stage)
    total = sum(stage["seconds"] for stage in result["stages"])
    in_statements = sum(t["seconds"] for t in timer.timings)
    cpu_in_statements = sum(t["cpu_seconds"] for t in timer.timings)
    print(f"stages: {total:.2f} s, of which {in_statements:.2f} s in {len(timer.timings)} statements "
          f"({cpu_in_statements:.2f} CPU-seconds) "
          f"({result['dossier_rows']:,} dossier rows, {result['dossiers']:,} dossiers; work folder {work})")
    for stage in result["stages"]:
        print(f"  {stage['stage']:<14} {stage['seconds']:8.2f} s")
    print(f"\nslowest statements:\n  {'seconds':>8} {'share':>6} {'CPU s':>6}  stage           statement")
    for entry in sorted(timer.timings, key=lambda t: -t["seconds"])[: args.top]:
        share = entry["seconds"] / total if total else 0.0
        print(f"  {entry['seconds']:8.2f} {share:6.1%} {entry['cpu_seconds']:6.2f}  {entry['stage']:<14}  "
              f"{entry['statement'][:100]}")
    if args.explain and not timer.profiles:
        print(f"\nno statement contains {args.explain!r}: nothing profiled", file=sys.stderr)
        sys.exit(1)
    for entry, path in timer.profiles:
        print(f"\nprofile of ({entry['stage']}, {entry['seconds']:.2f} s): {entry['statement'][:100]}  [{path}]")
        print(f"  {'CPU s':>8} {'rows':>12}  operator")
        for op in costliest_operators(json.loads(path.read_text()), args.top):
            rows = f"{op['rows']:,}" if isinstance(op["rows"], int) else ""
            print(f"  {op['seconds']:8.3f} {rows:>12}  {'  ' * min(op['depth'], 6)}{op['operator']} {op['detail']}")


if __name__ == "__main__":
    main()
