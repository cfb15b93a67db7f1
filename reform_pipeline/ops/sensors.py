"""The raw-folder sensor: a run of the whole pipeline when an input file is new or changed.

The cursor remembers every input file of the raw folder (REFORM_RAW_DIR) by name, size and
modification time. A tick that finds new or changed files asks for one run covering all of them;
its run key is made of those files' signatures, so the same version of a file never starts a
second run, even if the cursor is lost. A file as the latest run found it when it started
(`make run`'s, say: reform_pipeline/raw_folder.py) starts no run either: that run read it. The
sensor only lists the folder and reads that record: it never opens the warehouse, whose lock
belongs to the run that is writing it.
"""

import hashlib
import json
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from reform_pipeline.ops import NIGHTLY_JOB_NAME
from reform_pipeline.raw_folder import Snapshot, recorded_inputs, snapshot
from reform_pipeline.resources import ReformSettings

NAMES_IN_TAG = 3


def new_or_changed(seen: Snapshot, current: Snapshot, read_by_a_run: Snapshot | None = None) -> list[str]:
    """Names of files that are new, or whose size or modification time changed, in name order;
    a file as the latest run found it (``read_by_a_run``) is not new: that run read it."""
    read_by_a_run = read_by_a_run or {}
    return [name for name, signature in current.items()
            if seen.get(name) != signature and read_by_a_run.get(name) != signature]


def run_key(current: Snapshot, names: list[str]) -> str:
    signatures = "\n".join(f"{name}|{current[name][0]}|{current[name][1]}" for name in sorted(names))
    return "raw-folder-" + hashlib.sha256(signatures.encode("utf-8")).hexdigest()[:20]


def changed_files_tag(names: list[str]) -> str:
    """The run tag's list of changed files: the first NAMES_IN_TAG names, then how many more."""
    shown = ", ".join(names[:NAMES_IN_TAG])
    if len(names) > NAMES_IN_TAG:
        shown += f" and {len(names) - NAMES_IN_TAG} more"
    return shown


def read_cursor(cursor: str | None) -> Snapshot:
    return json.loads(cursor) if cursor else {}


@sensor(
    name="raw_folder_sensor",
    job_name=NIGHTLY_JOB_NAME,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Starts a run of the whole pipeline when an export or reference file in the raw folder "
        "(REFORM_RAW_DIR) is new or changed (name, size, modification time). One run per batch "
        "of files found in a tick; the same file version never triggers twice."
    ),
)
def raw_folder_sensor(context: SensorEvaluationContext, reform: ReformSettings):
    raw_dir = reform.raw_path
    if not raw_dir.is_dir():
        return SkipReason(f"the raw folder {raw_dir} does not exist (set REFORM_RAW_DIR)")
    seen = read_cursor(context.cursor)
    current = snapshot(raw_dir)
    # files that `make run` (or any run) has just read start no second run
    read = recorded_inputs(Path(reform.warehouse)) if reform.warehouse else {}
    changed = new_or_changed(seen, current, read)
    cursor = json.dumps(current, sort_keys=True)
    if not changed:
        return SensorResult(skip_reason=f"no new or changed input file in {raw_dir} that no run has read", cursor=cursor)
    context.log.info(f"{len(changed)} new or changed input file(s): {', '.join(changed)}")
    request = RunRequest(
        run_key=run_key(current, changed),
        tags={"reform/trigger": "raw_folder_sensor", "reform/changed_files": changed_files_tag(changed)},
    )
    return SensorResult(run_requests=[request], cursor=cursor)
