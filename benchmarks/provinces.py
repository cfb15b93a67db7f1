"""The provinces deployment at national scale: 34 provinces, one at a time, two at once, then the
national roll-up; writes benchmarks/RESULTS_PROVINCES.md (and .json beside it).

    .venv/bin/python benchmarks/provinces.py --data-dir /work/bench          # 34 provinces, ~50M dossiers
    .venv/bin/python benchmarks/provinces.py --size 1M --provinces 01,56,79  # a trial: 3 provinces
    .venv/bin/python benchmarks/provinces.py --build-only                    # only the sets

1. The sets (built once, cached under --data-dir as ``provinces<N>-<dossiers>-parquet/``): the
   national benchmark set of bench.py (``national-<dossiers>-parquet``, generated if missing, or
   any generated national Parquet set with --source) split into the provinces. Each province gets
   a share of the national tree proportional to a population weight (the 2025 provinces' people,
   in millions, rounded: a size, not a statistic): whole groups of a commune of the reorganised
   tree and the old communes merged into it, and whole district-level units, allocated in file
   order so that each province's share of the export rows follows its weight. Its
   ``agencies.csv`` has its own root (``000.00.00.T<GSO code>``, the only current root), its
   districts under it, its old communes under one of its districts (their own where it is the
   province's, else one of the province's in turn: a unit keeps one parent for its whole life,
   and the districts live as long as the communes), its new communes under the root;
   ``unit_changes.csv`` the rows of its units (every successor is in the same province);
   procedures owned by the national root are owned by the province's root, those owned by
   another province's unit have no owner; targets and rankings of the national root are the
   province's, those of another province's unit are dropped; the calendar is copied. Every row
   of every export goes to the province of the unit its dossier id names (the receiving unit, in
   the one-stop systems' id form), else of its ``agency_code``, else to a province chosen by its
   row number (the planted rows without either): all versions of a dossier stay together, and
   the planted bad rows (the generator's manifest) go with their dossier, so each province's
   quarantine is known in advance (``split.json``). Files keep their names and row order and the
   generator's Parquet options.
2. The runs: ``python -m reform_pipeline.run --province CODE`` for every province in a fresh
   ``REFORM_PROVINCES_DIR`` (the provinces file points at the cached raw folders), one at a time,
   then a pool of two processes (what the Dagster queue with max_concurrent_runs 2 launches, in
   the order it was queued: the provinces file's), then ``--national`` once on the pool's BI
   files. Per province: dossiers, export rows, seconds, peak RSS of its process tree (sampled
   every 50 ms); per mode: wall time, peak RSS of all its processes together, and the CPU the
   machine spent on other processes meanwhile. The quarantine of every province is compared with
   the rows planted in it.
3. The projection: the one-at-a-time run times scheduled longest first onto N machines, each
   running one province at a time (a projection, not a measurement); the national roll-up runs
   after the last province.
4. The machine reference of bench.py (DuckDB and Python) at the start and again at the end.

Without ``--province`` in reform_pipeline.run (``--runner single``) each province runs as the
single-province command with REFORM_RAW_DIR, REFORM_WAREHOUSE and REFORM_BI_DB, and there is no
national roll-up.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench

from reform_pipeline.sample.writers import _write_parquet

ROOT = bench.ROOT
PYTHON = bench.PYTHON
# The 34 provinces of 2025 (GSO codes, as reform_pipeline/catalogue/provinces.csv) and a size
# weight: their people in millions, the merged provinces' added up, rounded (about 2023–2024).
PROVINCES = [
    ("01", "Thành phố Hà Nội", 8.7), ("04", "Tỉnh Cao Bằng", 0.55), ("08", "Tỉnh Tuyên Quang", 1.7),
    ("11", "Tỉnh Điện Biên", 0.65), ("12", "Tỉnh Lai Châu", 0.48), ("14", "Tỉnh Sơn La", 1.3),
    ("15", "Tỉnh Lào Cai", 1.6), ("19", "Tỉnh Thái Nguyên", 1.7), ("20", "Tỉnh Lạng Sơn", 0.8),
    ("22", "Tỉnh Quảng Ninh", 1.4), ("24", "Tỉnh Bắc Ninh", 3.4), ("25", "Tỉnh Phú Thọ", 3.6),
    ("31", "Thành phố Hải Phòng", 4.1), ("33", "Tỉnh Hưng Yên", 3.2), ("37", "Tỉnh Ninh Bình", 3.8),
    ("38", "Tỉnh Thanh Hóa", 3.7), ("40", "Tỉnh Nghệ An", 3.4), ("42", "Tỉnh Hà Tĩnh", 1.3),
    ("44", "Tỉnh Quảng Trị", 1.6), ("46", "Thành phố Huế", 1.2), ("48", "Thành phố Đà Nẵng", 2.8),
    ("51", "Tỉnh Quảng Ngãi", 1.8), ("52", "Tỉnh Gia Lai", 3.1), ("56", "Tỉnh Khánh Hòa", 1.9),
    ("66", "Tỉnh Đắk Lắk", 2.8), ("68", "Tỉnh Lâm Đồng", 3.3), ("75", "Tỉnh Đồng Nai", 4.3),
    ("79", "Thành phố Hồ Chí Minh", 13.5), ("80", "Tỉnh Tây Ninh", 2.9), ("82", "Tỉnh Đồng Tháp", 3.4),
    ("86", "Tỉnh Vĩnh Long", 3.3), ("91", "Tỉnh An Giang", 3.7), ("92", "Thành phố Cần Thơ", 3.2),
    ("96", "Tỉnh Cà Mau", 2.1),
]
MACHINES = [1, 2, 4, 8, 17, 34]
SAMPLE_SECONDS = 0.05
# the reference files whose unit columns a province rewrites (canonical name and the aliases the
# generator writes, docs/spec §2.2, §2.5, §2.6, §2.7)
OWNER_COLUMNS = ("agency_code", "CoQuanThucHien", "Cơ quan thực hiện")
SCOPE_COLUMNS = ("scope_code", "MaDonVi", "Phạm vi", "Đơn vị")


def root_code(code: str) -> str:
    """A province's root: the shape of the national identifiers, outside the benchmark tree's
    own codes (``000.00.00.H00`` and the ``Hbb`` blocks of its districts)."""
    return f"000.00.00.T{code}"


def progress(message: str) -> None:
    print(f"{dt.datetime.now():%H:%M:%S} {message}", flush=True)


# ---------------------------------------------------------------- splitting the national set


@dataclass
class Plan:
    codes: list[str]
    province_of: dict[str, str]  # unit code -> province code (every unit but the national root)
    parent_of: dict[str, str]  # unit code -> its parent in its province's file
    national_root: str
    units: dict[str, dict] = field(default_factory=dict)  # province -> counts of its units by kind


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def allocate(items: list[tuple[str, float]], weights: list[float]) -> list[int]:
    """The province index of each item, in order: contiguous runs whose sums of sizes follow the
    weights (an item goes to the next province once the running sum passes the current one's
    share by half the item), at least one item per province while items last."""
    total = sum(size for _, size in items) or 1.0
    share = np.cumsum(np.array(weights) / sum(weights)) * total
    chosen, p, running, count = [], 0, 0.0, 0
    for i, (_, size) in enumerate(items):
        left_items, left_provinces = len(items) - i, len(weights) - p - 1
        if p < len(weights) - 1 and count > 0 and (running + size / 2 > share[p] or left_items <= left_provinces):
            p, count = p + 1, 0
        chosen.append(p)
        running += size
        count += 1
    return chosen


def unit_rows(raw: Path) -> dict[str, int]:
    """Export rows per receiving unit, as the dossier ids name it."""
    con = duckdb.connect()
    files = [str(p) for p in sorted(raw.glob("dossiers_*.parquet"))]
    rows = con.execute("SELECT split_part(dossier_id, '-', 1), count(*) FROM read_parquet(?) "
                       "WHERE dossier_id IS NOT NULL GROUP BY 1", [files]).fetchall()
    return dict(rows)


def plan_split(raw: Path, provinces: list[tuple[str, str, float]], rows: dict[str, int]) -> Plan:
    """Which province each unit of the national tree goes to, and its parent there.

    The tree is the sample generator's national one: a root, district-level units under it,
    communes under those; after the reorganisation new communes under the root, each the
    successor (unit_changes) of old ones that were under different districts. A new commune and
    its predecessors go to one province (so do their dossiers, and the successor is in the same
    file); district-level units are allocated apart, and an old commune whose district went
    elsewhere is placed under one of its own province's districts."""
    _, agencies = read_csv(raw / "agencies.csv")
    _, changes = read_csv(raw / "unit_changes.csv") if (raw / "unit_changes.csv").exists() else ([], [])
    by_code = {a["agency_code"]: a for a in agencies}
    roots = [a for a in agencies if not a["parent_code"] and not a["valid_to"]]
    if len(roots) != 1 or any(not a["parent_code"] for a in agencies if a is not roots[0]):
        raise SystemExit(f"{raw}: expected the national benchmark tree (one root, nothing else without a parent)")
    national_root = roots[0]["agency_code"]
    successor = {c["agency_code"]: c["successor_code"] for c in changes}
    top = [a["agency_code"] for a in agencies if a["parent_code"] == national_root]
    # groups: every unit under the root that never ended, with the units whose successors lead to it
    current = [c for c in top if not by_code[c]["valid_to"]]
    group_of: dict[str, str] = {c: c for c in current}

    def anchor(code: str, seen: int = 0) -> str | None:
        if code in group_of:
            return group_of[code]
        nxt = successor.get(code)
        return anchor(nxt, seen + 1) if nxt and nxt != national_root and seen < 50 else None

    members: dict[str, list[str]] = {c: [c] for c in current}
    loose: set[str] = set()  # below an ended top-level unit with no successor in a group: stays with that unit
    for a in agencies:
        code = a["agency_code"]
        if code == national_root or code in group_of:
            continue
        if a["parent_code"] == national_root:
            continue  # an ended top-level unit (a district): allocated below
        head = anchor(code)
        if head is None:
            loose.add(code)
        else:
            group_of[code] = head
            members[head].append(code)
    districts = [c for c in top if by_code[c]["valid_to"]]
    weights = [w for _, _, w in provinces]
    codes = [c for c, _, _ in provinces]
    province_of: dict[str, str] = {}
    group_sizes = [(head, sum(rows.get(m, 0) for m in members[head]) + 1.0) for head in current]
    for (head, _), p in zip(group_sizes, allocate(group_sizes, weights)):
        for m in members[head]:
            province_of[m] = codes[p]
    district_sizes = [(d, rows.get(d, 0) + 1.0) for d in districts]
    for (d, _), p in zip(district_sizes, allocate(district_sizes, weights)):
        province_of[d] = codes[p]
    parent_of: dict[str, str] = {}
    own_districts: dict[str, list[str]] = collections.defaultdict(list)
    for d in districts:
        own_districts[province_of[d]].append(d)
    turn: dict[str, int] = collections.Counter()
    for a in agencies:
        code, parent = a["agency_code"], a["parent_code"]
        if code == national_root:
            continue
        if code in loose:
            province_of[code] = province_of[_top_of(code, by_code, national_root)]
        province = province_of[code]
        if parent == national_root:
            parent_of[code] = root_code(province)
        elif province_of.get(parent) == province:
            parent_of[code] = parent
        elif own_districts[province]:
            # a district lives at least as long as the communes it held (both end on the same day)
            choices = own_districts[province]
            parent_of[code] = choices[turn[province] % len(choices)]
            turn[province] += 1
        else:
            parent_of[code] = root_code(province)
    plan = Plan(codes, province_of, parent_of, national_root)
    for code, province in province_of.items():
        kinds = plan.units.setdefault(province, collections.Counter())
        kinds[by_code[code]["kind"] + (" (ended)" if by_code[code]["valid_to"] else "")] += 1
    return plan


def _top_of(code: str, by_code: dict, root: str) -> str:
    while by_code[code]["parent_code"] != root:
        code = by_code[code]["parent_code"]
    return code


def write_reference_files(raw: Path, out: Path, plan: Plan, provinces: list[tuple[str, str, float]]) -> None:
    """Each province's agencies, unit changes, procedures, targets, rankings and calendar."""
    names = {code: name for code, name, _ in provinces}
    header, agencies = read_csv(raw / "agencies.csv")
    for code in plan.codes:
        folder = out / code / "raw"
        folder.mkdir(parents=True, exist_ok=True)
        name = names[code].replace("Tỉnh ", "tỉnh ").replace("Thành phố ", "thành phố ")
        root = {h: "" for h in header} | {"agency_code": root_code(code), "agency_name": f"UBND {name}",
                                          "kind": "province", "admin_code": code}
        own = [a | {"parent_code": plan.parent_of[a["agency_code"]]} for a in agencies
               if plan.province_of.get(a["agency_code"]) == code]
        write_csv(folder / "agencies.csv", header, [root, *own])
    for path in sorted(raw.iterdir()):
        if path.name.startswith("dossiers_") or path.name.startswith("agencies"):
            continue
        if path.suffix.lower() != ".csv":
            raise SystemExit(f"{path}: only CSV reference files can be split")
        header, rows = read_csv(path)
        kind = path.name.lower()
        for code in plan.codes:
            target = out / code / "raw" / path.name
            if kind.startswith("unit_changes"):
                kept = [r | {"successor_code": r["successor_code"] if plan.province_of.get(r["successor_code"]) == code
                             else root_code(code)}
                        for r in rows if plan.province_of.get(r["agency_code"]) == code]
            elif kind.startswith("procedures"):
                column = next(c for c in OWNER_COLUMNS if c in header)
                kept = [r | {column: _own_unit(r[column], code, plan) or ""} for r in rows]
            elif kind.startswith(("targets", "rankings")):
                column = next(c for c in SCOPE_COLUMNS if c in header)
                kept = [r | {column: _own_unit(r[column], code, plan)} for r in rows
                        if _own_unit(r[column], code, plan)]
            else:
                shutil.copy(path, target)
                continue
            write_csv(target, header, kept)


def _own_unit(unit: str, code: str, plan: Plan) -> str | None:
    """``unit`` as the province ``code`` names it: the national root is its root; another
    province's unit is none."""
    if unit == plan.national_root:
        return root_code(code)
    return unit if plan.province_of.get(unit) == code else None


_SPLIT: dict = {}  # what every worker of split_exports needs: set once per worker


def _split_init(units: list[str], province_index: np.ndarray, codes: list[str], out: str) -> None:
    _SPLIT.update(units=pa.array(units, pa.string()), province_index=province_index, codes=codes, out=Path(out))


def _split_file(path: str, bad_rows: list[dict]) -> tuple[np.ndarray, list[dict]]:
    """One export's rows into the province folders, in their order; rows and planted bad rows per
    province."""
    units, province_index, codes, out = (_SPLIT[k] for k in ("units", "province_index", "codes", "out"))
    table = pq.read_table(path)
    named = pc.list_element(pc.split_pattern(pc.fill_null(table["dossier_id"], ""), "-", max_splits=1), 0)
    which = pc.coalesce(pc.index_in(named, value_set=units), pc.index_in(table["agency_code"], value_set=units))
    found = pc.fill_null(which, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    missing = found < 0
    p = np.where(missing, np.arange(len(found)) % len(codes), province_index[np.maximum(found, 0)])
    order = np.argsort(p, kind="stable")
    bounds = np.searchsorted(p[order], np.arange(len(codes) + 1))
    rows = np.diff(bounds)
    name = Path(path).name
    for i, code in enumerate(codes):
        if rows[i]:
            _write_parquet(out / code / "raw" / name, table.take(order[bounds[i]:bounds[i + 1]]), 3)
    planted = [collections.Counter() for _ in codes]
    for bad in bad_rows:
        planted[p[bad["row_number"] - 1]][bad["reason"]] += 1
    return rows, planted


def split_exports(raw: Path, out: Path, plan: Plan, manifest: dict | None, workers: int) -> dict:
    """Every export's rows into the province folders (``workers`` processes, files in turn), in
    their order, with the generator's Parquet options; rows and planted bad rows per province."""
    import concurrent.futures
    import multiprocessing

    codes = plan.codes
    index = {c: i for i, c in enumerate(codes)}
    province_index = np.array([index[p] for p in plan.province_of.values()], dtype=np.int64)
    rows = np.zeros(len(codes), dtype=np.int64)
    planted: list[collections.Counter] = [collections.Counter() for _ in codes]
    files = sorted(raw.glob("dossiers_*.parquet"))
    if not files:
        raise SystemExit(f"{raw}: no Parquet exports (dossiers_*.parquet) to split")
    started = time.perf_counter()
    bad = (manifest or {}).get("files", {})
    with concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("fork"), initializer=_split_init,
            initargs=(list(plan.province_of), province_index, codes, str(out))) as pool:
        futures = [pool.submit(_split_file, str(path), bad.get(path.name, {}).get("bad_rows", [])) for path in files]
        for n, future in enumerate(futures, start=1):
            file_rows, file_planted = future.result()
            rows += file_rows
            for total, counted in zip(planted, file_planted):
                total.update(counted)
            if n % 50 == 0 or n == len(files):
                elapsed = time.perf_counter() - started
                progress(f"  split {n}/{len(files)} exports ({rows.sum():,} rows) in {elapsed:.0f} s, "
                         f"about {elapsed / n * (len(files) - n):.0f} s left")
    return {code: {"rows": int(rows[i]), "planted": dict(planted[i]) if manifest is not None else None}
            for i, code in enumerate(codes)}


def set_name(dossiers: int, codes: list[str]) -> str:
    which = f"provinces{len(codes)}" if len(codes) == len(PROVINCES) else "provinces-" + "-".join(codes)
    return f"{which}-{dossiers}-parquet"


def build_set(source: Path, out: Path, provinces: list[tuple[str, str, float]], workers: int = 2) -> dict:
    """The provinces' raw folders under ``out`` (once: reused when ``out/split.json`` exists)."""
    done = out / "split.json"
    if done.exists():
        progress(f"provinces set {out} exists: reused")
        return json.loads(done.read_text())
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    progress(f"splitting {source} into {len(provinces)} provinces in {out} …")
    started = time.perf_counter()
    rows = unit_rows(source)
    progress(f"  rows per receiving unit counted ({sum(rows.values()):,} rows, {len(rows):,} units)")
    plan = plan_split(source, provinces, rows)
    write_reference_files(source, partial, plan, provinces)
    manifest_path = source.parent / "sample_manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    counts = split_exports(source, partial, plan, manifest, workers)
    weights = {code: weight for code, _, weight in provinces}
    info = {
        "source": str(source), "source_options": manifest["options"] if manifest else None,
        "built_at": f"{dt.datetime.now():%Y-%m-%d %H:%M}", "build_seconds": round(time.perf_counter() - started, 1),
        "provinces": [{"code": code, "name": name, "weight": weights[code],
                       "units": dict(plan.units.get(code, {})), **counts[code]} for code, name, _ in provinces],
    }
    (partial / "split.json").write_text(json.dumps(info, indent=1, ensure_ascii=False))
    partial.rename(out)
    progress(f"  split in {info['build_seconds']:.0f} s")
    return info


# ---------------------------------------------------------------- running the provinces


def tree_rss(process: psutil.Process) -> int:
    """RSS of ``process`` and all its children (bytes), as bench.measure samples it."""
    try:
        tree = [process, *process.children(recursive=True)]
        return sum(p.memory_info().rss for p in tree if p.is_running())
    except psutil.Error:
        return 0


@dataclass
class Job:
    code: str
    command: list[str]
    env: dict
    log: Path


def run_pool(jobs: list[Job], slots: int, label: str) -> dict:
    """Run ``jobs`` as processes, ``slots`` at a time, in order; per job its seconds, peak RSS of
    its process tree and exit status; for the whole: wall seconds, the peak of all processes'
    RSS together, and the machine's CPU-seconds on other processes meanwhile."""
    os.sync()
    pending = collections.deque(jobs)
    running: dict[str, tuple] = {}
    done: dict[str, dict] = {}
    peak_all = 0
    cpu_before, own_before = psutil.cpu_times(), os.times()
    load_max = 0.0
    started = time.perf_counter()
    while pending or running:
        while pending and len(running) < slots:
            job = pending.popleft()
            log = job.log.open("w")
            process = psutil.Popen(job.command, cwd=ROOT, env=job.env, stdout=log, stderr=log)
            running[job.code] = (job, process, time.perf_counter(), log, [0])
        together = 0
        for code, (job, process, began, log, peak) in list(running.items()):
            status = process.poll()
            if status is None:
                rss = tree_rss(process)
                peak[0] = max(peak[0], rss)
                together += rss
                continue
            seconds = time.perf_counter() - began
            log.close()
            del running[code]
            done[code] = {"seconds": seconds, "peak": peak[0], "exit": status,
                          "started": began - started}
            tail = "" if status == 0 else f", exit {status}: see {job.log}"
            progress(f"  {label}: {code} in {seconds:.1f} s, peak {bench.gib(peak[0])} GiB{tail} "
                     f"({len(done)}/{len(jobs)}, {time.perf_counter() - started:.0f} s)")
        peak_all = max(peak_all, together)
        load_max = max(load_max, os.getloadavg()[0])
        time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - started
    cpu_after, own_after = psutil.cpu_times(), os.times()
    busy = sum(getattr(cpu_after, k) - getattr(cpu_before, k) for k in ("user", "nice", "system", "irq", "softirq"))
    own = (own_after.children_user - own_before.children_user) + (own_after.children_system - own_before.children_system)
    return {"wall": wall, "peak": peak_all, "slots": slots, "provinces": done, "cpu_seconds_ours": own,
            "cpu_seconds_machine": busy, "cpu_seconds_others": max(0.0, busy - own),
            "load1_max": load_max, "cores": psutil.cpu_count()}


def clean_env() -> dict:
    """The environment without any REFORM_* setting of the shell that started the benchmark."""
    return {k: v for k, v in os.environ.items() if not k.startswith("REFORM_")}


def new_work(data_dir: Path, label: str, set_dir: Path, codes: list[str], names: dict) -> tuple[Path, Path]:
    """A fresh REFORM_PROVINCES_DIR (its provinces file pointing at the set's raw folders) and a
    DAGSTER_HOME with the provinces deployment's dagster.yaml, its storage created beforehand."""
    work = data_dir / f"provinces-work-{label.replace(' ', '-')}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    with (work / "provinces.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name", "raw_dir"])
        for code in codes:
            writer.writerow([code, names[code], str(set_dir / code / "raw")])
    home = work / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "provinces" / "dagster.yaml", home / "dagster.yaml")
    bench.measure([PYTHON, "-c", bench.INSTANCE_SNIPPET], {"DAGSTER_HOME": str(home)})
    return work, home


def province_paths(work: Path, code: str) -> tuple[Path, Path]:
    """The province's warehouse and BI file (reform_pipeline/provinces.py's layout)."""
    return work / code / "warehouse" / "reform.duckdb", work / code / "bi" / "reform_bi.duckdb"


def jobs_for(codes: list[str], set_dir: Path, work: Path, home: Path, runner: str) -> list[Job]:
    (work / "logs").mkdir(exist_ok=True)
    jobs = []
    for code in codes:
        env = clean_env() | {"DAGSTER_HOME": str(home)}
        if runner == "province":
            command = [PYTHON, "-m", "reform_pipeline.run", "--province", code]
            env |= {"REFORM_PROVINCES_DIR": str(work), "REFORM_PROVINCES_FILE": str(work / "provinces.csv")}
        else:
            warehouse, bi = province_paths(work, code)
            command = [PYTHON, "-m", "reform_pipeline.run"]
            env |= {"REFORM_RAW_DIR": str(set_dir / code / "raw"), "REFORM_WAREHOUSE": str(warehouse),
                    "REFORM_BI_DB": str(bi)}
        jobs.append(Job(code, command, env, work / "logs" / f"{code}.log"))
    return jobs


def province_figures(work: Path, code: str) -> dict:
    """Dossiers and export rows of a province's run (its warehouse), and its quarantine by reason
    (its BI file's mart.quarantine_summary; reference files apart)."""
    warehouse, bi = province_paths(work, code)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows, dossiers = con.execute(
            "SELECT (SELECT sum(rows_read) FROM meta.input_files WHERE kind = 'dossiers'),"
            " (SELECT count(*) FROM staging.dossiers)").fetchone()
    with duckdb.connect(str(bi), read_only=True) as con:
        quarantine = con.execute("SELECT kind, reason, sum(rows) FROM mart.quarantine_summary GROUP BY ALL").fetchall()
    return {"rows": int(rows or 0), "dossiers": int(dossiers),
            "quarantined": {reason: int(n) for kind, reason, n in quarantine if kind == "dossiers"},
            "quarantined_reference": {f"{kind} {reason}": int(n) for kind, reason, n in quarantine if kind != "dossiers"}}


def measure_mode(label: str, slots: int, codes: list[str], set_dir: Path, data_dir: Path, names: dict,
                 runner: str, expected: dict) -> tuple[dict, Path]:
    work, home = new_work(data_dir, label, set_dir, codes, names)
    progress(f"{label}: {len(codes)} provinces, {slots} at a time …")
    result = run_pool(jobs_for(codes, set_dir, work, home, runner), slots, label)
    for code, figures in result["provinces"].items():
        if figures["exit"] == 0:
            figures.update(province_figures(work, code))
            planted = expected.get(code)
            figures["quarantine_as_planted"] = None if planted is None else figures["quarantined"] == planted \
                and not figures["quarantined_reference"]
    progress(f"{label}: {result['wall']:.1f} s, peak of all processes {bench.gib(result['peak'])} GiB")
    return result, work


def national_rollup(work: Path, home: Path) -> dict:
    env = {"REFORM_PROVINCES_DIR": str(work), "REFORM_PROVINCES_FILE": str(work / "provinces.csv"),
           "DAGSTER_HOME": str(home)}
    progress("national roll-up …")
    seconds, peak, out = bench.measure([PYTHON, "-m", "reform_pipeline.run", "--national"], env)
    progress(f"national roll-up: {seconds:.1f} s, peak {bench.gib(peak)} GiB")
    national = work / "national" / "reform_national.duckdb"
    return {"seconds": seconds, "peak": peak, "size": national.stat().st_size if national.exists() else None,
            "summary": [line for line in out.splitlines() if line.strip()][-8:]}


def lpt(seconds: dict[str, float], machines: int) -> tuple[float, list[list[str]]]:
    """Longest processing time first: each province, longest first, onto the machine that is
    free first; the makespan and each machine's provinces."""
    loads = [0.0] * machines
    assigned: list[list[str]] = [[] for _ in range(machines)]
    for code, s in sorted(seconds.items(), key=lambda item: (-item[1], item[0])):
        m = min(range(machines), key=lambda i: (loads[i], i))
        loads[m] += s
        assigned[m].append(code)
    return max(loads), assigned


def projection(seconds: dict[str, float], national: float | None) -> list[dict]:
    rows = []
    for n in MACHINES:
        if n > len(seconds):
            continue
        makespan, _ = lpt(seconds, n)
        rows.append({"machines": n, "provinces_s": makespan,
                     "with_national_s": makespan + national if national is not None else None})
    return rows


# ---------------------------------------------------------------- results


def reference() -> dict:
    ref = bench.machine_reference()
    ref |= {"at": f"{dt.datetime.now():%Y-%m-%d %H:%M}", "load": list(os.getloadavg())}
    progress(f"machine reference: DuckDB {ref['duckdb_100m_hash_s']:.2f} s, Python loop {ref['python_10m_loop_s']:.2f} s, "
             f"load {ref['load'][0]:.2f}")
    return ref


def write_markdown(results: dict, path: Path) -> None:
    info, modes = results["set"], results["modes"]
    names = {p["code"]: p for p in info["provinces"]}
    before, after = results["reference_before"], results.get("reference_after")
    memory = psutil.virtual_memory().total
    total_weight = sum(p["weight"] for p in info["provinces"])
    lines = [
        "# 34 provinces: one at a time, two at once, the national roll-up",
        "",
        (f"Written {dt.datetime.now():%Y-%m-%d %H:%M} by `benchmarks/provinces.py` on {platform.node() or 'this machine'}: "
        f"{psutil.cpu_count()} cores, {bench.gib(memory)} GiB RAM, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}; runner `{results['runner']}`."),
        "",
        (f"Machine reference before (bench.py's fixed workloads; {before['at']}): DuckDB `sum(hash(i) % 1000)` over "
        f"100M integers **{before['duckdb_100m_hash_s']:.2f} s**, a Python loop of 10M additions "
        f"{before['python_10m_loop_s']:.2f} s, load average {before['load'][0]:.2f}."),
    ]
    if after:
        lines.append(f"After ({after['at']}): **{after['duckdb_100m_hash_s']:.2f} s**, "
                     f"{after['python_10m_loop_s']:.2f} s, load average {after['load'][0]:.2f}.")
    lines += ["", "Reproduce:", "", "```sh", results["command"], "```", "",
              (f"The set: `{info['source']}` split into {len(info['provinces'])} provinces "
              f"({info.get('built_at', '?')}, {info.get('build_seconds', 0):.0f} s; how: the docstring of "
              "`benchmarks/provinces.py`). Sizes follow a population weight."), ""]
    lines += ["## Modes", "",
              ("| mode | processes at once | wall s | sum of run s | peak RSS of all processes GiB | "
              "CPU-s ours / others (machine) | max load | failed |"),
              "|---|---|---|---|---|---|---|---|"]
    for label, mode in modes.items():
        runs = mode["provinces"].values()
        failed = [c for c, r in mode["provinces"].items() if r["exit"] != 0]
        lines.append(f"| {label} | {mode['slots']} | {mode['wall']:.1f} | {sum(r['seconds'] for r in runs):.1f} | "
                     f"{bench.gib(mode['peak'])} | {mode['cpu_seconds_ours']:.0f} / {mode['cpu_seconds_others']:.0f} | "
                     f"{mode['load1_max']:.1f} | {', '.join(failed) or '–'} |")
    national = results.get("national")
    if national:
        lines.append(f"| national roll-up | 1 | {national['seconds']:.1f} | | {bench.gib(national['peak'])} | | | – |")
    lines += ["", "*CPU-s others*: the machine's busy CPU-seconds during the mode minus those of the",
              "benchmark's processes: other users of the machine.", ""]
    order = [p["code"] for p in info["provinces"]]
    lines += ["## Per province", "",
              ("| code | province | weight % | units (districts / old communes / new communes) | dossiers | "
              "export rows | one at a time s | peak GiB | two at once s | peak GiB | quarantine as planted |"),
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    one, two = modes.get("one at a time", {}).get("provinces", {}), modes.get("two at once", {}).get("provinces", {})
    for code in order:
        p, a, b = names[code], one.get(code, {}), two.get(code, {})
        units = p["units"]
        unit_cell = (f"{units.get('district (ended)', 0)} / {units.get('commune (ended)', 0)} / "
                     f"{units.get('commune', 0)}")
        figures = a if "dossiers" in a else b
        dossiers = f"{figures['dossiers']:,}" if "dossiers" in figures else "–"
        checks = [r.get("quarantine_as_planted") for r in (a, b) if r]
        check = "yes" if checks and all(checks) else ("–" if not checks or None in checks else "**no**")
        lines.append(
            f"| {code} | {p['name']} | {100 * p['weight'] / total_weight:.1f} | {unit_cell} | {dossiers} | {p['rows']:,} | "
            + (f"{a['seconds']:.1f} | {bench.gib(a['peak'])} | " if a else "– | – | ")
            + (f"{b['seconds']:.1f} | {bench.gib(b['peak'])} | " if b else "– | – | ") + f"{check} |")
    proj = results.get("projection")
    if proj:
        lines += ["", "## Projection onto N machines", "",
                  "A projection, not a measurement: the one-at-a-time run times above scheduled longest first",
                  "onto N machines, each running one province at a time (each machine like this one, nothing",
                  "shared between them); the national roll-up runs after the last province"
                  + (f" ({national['seconds']:.1f} s here)." if national else "."), "",
                  "| machines | provinces done s | then the national roll-up s |", "|---|---|---|"]
        for row in proj:
            with_national = f"{row['with_national_s']:.1f}" if row["with_national_s"] is not None else "–"
            lines.append(f"| {row['machines']} | {row['provinces_s']:.1f} | {with_national} |")
    if national and national.get("summary"):
        lines += ["", "The national roll-up's summary:", "", "```", *national["summary"], "```"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="50M", help=f"the national set to split, one of {', '.join(bench.SIZES)} "
                                                      "(default 50M; generated by bench.py's rules if missing)")
    parser.add_argument("--source", type=Path, help="split this national Parquet raw folder instead (its "
                                                    "sample_manifest.json beside it, if any, gives the planted rows)")
    parser.add_argument("--provinces", help="comma-separated GSO codes: only these, the national set split "
                                            "among them by their weights (default: all 34)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "data")
    parser.add_argument("--modes", default="one,two,national",
                        help="comma-separated: one (one at a time), two (two at once), national "
                             "(the roll-up, after two or else one) (default all)")
    parser.add_argument("--runner", choices=["auto", "province", "single"], default="auto",
                        help="province: run --province CODE; single: the single-province command with "
                             "REFORM_RAW_DIR (no national roll-up); auto: province where run.py has it")
    parser.add_argument("--build-only", action="store_true", help="build the set and stop")
    parser.add_argument("--split-workers", type=int, default=2, help="processes splitting the exports (default 2)")
    parser.add_argument("--keep-work", action="store_true", help="keep the warehouses and BI files of the runs")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS_PROVINCES.md",
                        help="the markdown file (the JSON goes beside it)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    wanted = args.provinces.split(",") if args.provinces else [c for c, _, _ in PROVINCES]
    known = {c: (c, n, w) for c, n, w in PROVINCES}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        parser.error(f"unknown province {', '.join(unknown)}: expected GSO codes of {', '.join(known)}")
    provinces = [known[c] for c in wanted]
    if args.source:
        source = args.source.resolve()
    else:
        if args.size not in bench.SIZES:
            parser.error(f"unknown size {args.size}: expected {', '.join(bench.SIZES)}")
        source = bench.generate(args.size, "parquet", data_dir)
    dossiers = json.loads((source.parent / "sample_manifest.json").read_text())["options"]["dossiers"] \
        if (source.parent / "sample_manifest.json").exists() else 0
    set_dir = data_dir / set_name(dossiers, wanted)
    info = build_set(source, set_dir, provinces, args.split_workers)
    if args.build_only:
        return 0
    runner = args.runner
    if runner == "auto":
        runner = "province" if "--province" in (ROOT / "reform_pipeline" / "run.py").read_text() else "single"
    modes = [m for m in args.modes.split(",") if m]
    command = (f".venv/bin/python benchmarks/provinces.py --data-dir {args.data_dir}"
               + (f" --source {args.source}" if args.source else f" --size {args.size}")
               + (f" --provinces {args.provinces}" if args.provinces else "")
               + (f" --modes {args.modes}" if args.modes != "one,two,national" else ""))
    names = {c: n for c, n, _ in provinces}
    expected = {p["code"]: p["planted"] for p in info["provinces"] if p.get("planted") is not None}
    results: dict = {"set": info, "runner": runner, "command": command, "modes": {},
                     "reference_before": reference()}
    json_path = args.results.with_suffix(".json")

    def save() -> None:
        json_path.write_text(json.dumps(results, indent=1, default=str, ensure_ascii=False))
        write_markdown(results, args.results)

    works = []
    for mode, label, slots in (("one", "one at a time", 1), ("two", "two at once", 2)):
        if mode in modes:
            results["modes"][label], work = measure_mode(label, slots, wanted, set_dir, data_dir, names, runner,
                                                         expected)
            save()
            if mode == "one" and "two" in modes and not args.keep_work:
                shutil.rmtree(work, ignore_errors=True)  # its warehouses: the roll-up reads the pool's
            else:
                works.append(work)
    if "national" in modes and runner == "province" and works:
        results["national"] = national_rollup(works[-1], works[-1] / "dagster_home")
    one = results["modes"].get("one at a time")
    if one and all(r["exit"] == 0 for r in one["provinces"].values()):
        national = results.get("national", {}).get("seconds")
        results["projection"] = projection({c: r["seconds"] for c, r in one["provinces"].items()}, national)
    results["reference_after"] = reference()
    save()
    if not args.keep_work:
        for work in works:
            shutil.rmtree(work, ignore_errors=True)
    print(args.results.read_text())
    failed = [c for m in results["modes"].values() for c, r in m["provinces"].items() if r["exit"] != 0]
    mismatched = [c for m in results["modes"].values() for c, r in m["provinces"].items()
                  if r.get("quarantine_as_planted") is False]
    if failed or mismatched:
        print(f"failed: {failed}; quarantine other than planted: {mismatched}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
