"""Where the newest run of a Dagster instance spent its time, from the run's own event log.

    DAGSTER_HOME=… python benchmarks/run_steps.py      # prints one JSON object

Called by benchmarks/bench.py right after each full run, so that Dagster's own cost is read
off the same run as its compute instead of being the difference between two separate runs
(on a 2-core machine two runs of the same work differ by more than Dagster costs).

The JSON holds the run's span (its first event to its last), the seconds of every step, each
marked `asset` (it materialized an asset) or `check` (it evaluated asset checks only), and the
seconds between the steps (Dagster's events, the pool slot each step claims).
"""

from __future__ import annotations

import json

from dagster import DagsterEventType, DagsterInstance

_ENDS = (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE)


def step_breakdown(records) -> dict:
    """The span of a run and the seconds of each of its steps, from its event log records."""
    starts: dict[str, float] = {}
    steps: dict[str, dict] = {}
    materialized: set[str] = set()
    for record in records:
        event = record.dagster_event
        if event is None or record.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            starts[record.step_key] = record.timestamp
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialized.add(record.step_key)
        elif event.event_type in _ENDS and record.step_key in starts:
            steps[record.step_key] = {"seconds": record.timestamp - starts[record.step_key]}
    for key, step in steps.items():
        step["kind"] = "asset" if key in materialized else "check"
    span = records[-1].timestamp - records[0].timestamp if records else 0.0
    in_steps = sum(step["seconds"] for step in steps.values())
    return {
        "span": span,
        "steps": steps,
        "asset_steps": sum(s["seconds"] for s in steps.values() if s["kind"] == "asset"),
        "check_steps": sum(s["seconds"] for s in steps.values() if s["kind"] == "check"),
        "between_steps": span - in_steps,
    }


def main() -> None:
    instance = DagsterInstance.get()
    runs = instance.get_runs(limit=1)
    if not runs:
        raise SystemExit("no run in this DAGSTER_HOME")
    run = runs[0]
    print(json.dumps({"run_id": run.run_id, "status": run.status.value,
                      **step_breakdown(instance.all_logs(run.run_id))}))


if __name__ == "__main__":
    main()
