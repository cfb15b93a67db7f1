"""What the raw folder holds, as the sensor and the runs see it: every input file by name, size
and modification time (docs/operating.md, "What runs, and when").

A run records the folder as it found it when it took the warehouse, beside the warehouse
(``<REFORM_WAREHOUSE>.inputs.json``). The new-file sensor does not ask for a run for a file
whose size and modification time match that record: `make run`, the schedule or another run
has just read it. No Dagster import: plain Python, tested directly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from reform_pipeline.ingest.columns import kind_of_file

# name -> [size in bytes, modification time in ns]
Snapshot = dict[str, list[int]]


def snapshot(raw_dir: Path) -> Snapshot:
    """Every input file of the raw folder (docs/spec §2: recognised by name prefix and extension)."""
    found: Snapshot = {}
    root = raw_dir.resolve()
    for path in sorted(raw_dir.iterdir(), key=lambda p: p.name):
        if path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(root):
            continue  # a link out of the raw folder is not read (docs/spec §2.0): not followed
        if kind_of_file(path.name) and path.is_file():
            stat = path.stat()
            found[path.name] = [stat.st_size, stat.st_mtime_ns]
    return found


def record_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".inputs.json")


def record_inputs(raw_dir: Path, warehouse: Path) -> None:
    """Remember the raw folder as this run found it (written whole, then renamed)."""
    if not raw_dir.is_dir():
        return
    target = record_path(warehouse)
    temporary = target.with_name(f"{target.name}.{os.getpid()}")
    temporary.write_text(json.dumps(snapshot(raw_dir), sort_keys=True), encoding="utf-8")
    os.replace(temporary, target)


def recorded_inputs(warehouse: Path) -> Snapshot:
    """The raw folder as the latest run found it; empty when no run recorded it."""
    try:
        return json.loads(record_path(warehouse).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
