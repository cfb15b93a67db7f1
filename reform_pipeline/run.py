"""``make run``: run the nightly job once on the raw folder and print a summary.

    python -m reform_pipeline.run
    python -m reform_pipeline.run --province 56     # the provinces deployment: one province
    python -m reform_pipeline.run --national        # the provinces deployment: the national roll-up

Honours the REFORM_* variables (docs/spec §3). When DAGSTER_HOME is set (the Makefile sets it to
``.dagster_home``) the run is recorded there, as a run of the job ``nightly_refresh``, and shows
in the UI's run history.

Progress goes to stdout, one line per message; stderr carries only what went wrong.

Exit status (docs/operating.md, "Reading a stop"):

- 0 the run succeeded and published (WARN checks may have flagged something);
- 1 the run failed: a step or a blocking check (the publish gate among them) failed, and the
  previous BI file was left as it was;
- 2 a configuration or input error (a REFORM_* setting, a missing raw folder or reference file,
  an as-of date outside the data, a warehouse path that cannot hold a database): nothing was
  published; one line on stderr says what to fix;
- 3 the warehouse stayed held by another run or process for REFORM_LOCK_WAIT_SECONDS: nothing
  was published; one line on stderr names the holder;
- 130 interrupted (Ctrl-C or SIGTERM): the run is marked failed, nothing was published.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from reform_pipeline.ingest.build import MissingInput
from reform_pipeline.ingest.files import survey
from reform_pipeline.settings import ConfigError, Settings
from reform_pipeline.warehouse_access import check_writable_file_path

# Dagster's own engine events are DEBUG; the pipeline's progress lines are INFO.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
# workspace.yaml's code location, and the repository Dagster makes of a Definitions object
CODE_LOCATION = "reform_pipeline"
PROVINCES_LOCATION = "reform_provinces"  # deploy/provinces/workspace.yaml
REPOSITORY = "__repository__"
REPO = Path(__file__).resolve().parents[1]
# Errors raised inside a step that are the operator's to fix, not the pipeline's: one line and
# the exit status beside them, no traceback.
_CONFIG_ERRORS = {"ConfigError", "WarehouseUnusable", "MissingInput"}
_BUSY_ERRORS = {"WarehouseBusy"}


@dataclass(frozen=True)
class Target:
    """What one command runs: the single-province job, one province's, or the national roll-up."""
    module: str
    location: str
    job_name: str
    tags: dict[str, str]
    settings: Settings | None  # the folders the run reads and writes (None: the national roll-up)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m reform_pipeline.run",
        description="Run the pipeline once, in this process, and print a summary (docs/operating.md).")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--province", metavar="CODE",
                       help="the provinces deployment (REFORM_PROVINCES_DIR): build this province only")
    which.add_argument("--national", action="store_true",
                       help="the provinces deployment: build the national BI file and page from the "
                            "provinces' published BI files")
    return parser.parse_args(argv)


def target_of(args: argparse.Namespace) -> Target:
    from reform_pipeline.ops import NIGHTLY_JOB_NAME

    if not args.province and not args.national:
        return Target("reform_pipeline.definitions", CODE_LOCATION, NIGHTLY_JOB_NAME, {}, Settings.from_env())
    from reform_pipeline.provinces import PARTITION_TAG, Deployment

    deployment = Deployment.from_env()
    module = "reform_pipeline.provinces_definitions"
    if args.national:
        return Target(module, PROVINCES_LOCATION, "national_rollup", {}, None)
    province = deployment.province(args.province.strip())
    return Target(module, PROVINCES_LOCATION, "province_refresh", {PARTITION_TAG: province.code},
                  province.settings(Settings.from_env()))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        target = target_of(args)
        settings = target.settings
        if settings is not None:
            preflight(settings)
    except (ConfigError, MissingInput) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    from reform_pipeline.ops.run_health import recover_dead_runs

    try:
        importlib.import_module(target.module)  # a configuration error shows on import
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    # SIGTERM (systemd, `kill`) stops the run the way Ctrl-C does: marked failed, nothing published
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    with open_instance() as instance:
        # runs killed earlier (SIGKILL, out of memory, reboot) would hold the daemon's queue
        recover_dead_runs(instance, log=lambda line: print(f"note: {line}"))
        started = time.perf_counter()
        try:
            result = run_job(instance, target)
        except KeyboardInterrupt:
            print("interrupted: the run was stopped; the previous BI file, if any, was left in place",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
    elapsed = time.perf_counter() - started
    if _interrupted and not result.success:
        # the interrupt reached a step, which failed the run: say what happened
        print("interrupted: the run was stopped and marked failed; the previous BI file, if any, was "
              "left in place", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not result.success:
        return report_failure(result)
    print()
    print(f"reform_pipeline: run finished in {elapsed:.1f} s")
    if settings is None:
        print(national_summary_of(result))
        return EXIT_OK
    if args.province:
        print(f"  province       {args.province.strip()}")
    print(f"  warehouse      {settings.warehouse}")
    print(f"  BI file        {settings.bi_db}")
    print(f"  scorecard page {settings.report_html}")
    print(run_summary_of(result))
    print_checks(result, sys.stdout)
    return EXIT_OK


_interrupted: list[int] = []


def run_job(instance, target: Target):
    """Run the target's job in this process, recorded as a run of its code location
    (`reform_pipeline` of workspace.yaml, or `reform_provinces` of deploy/provinces/workspace.yaml):
    the UI shows it under that job and can re-execute it, as it can a run the schedule or a sensor
    started. A province's run carries its partition tag, as a queued run of that province does."""
    from dagster._core.definitions.reconstruct import ReconstructableRepository
    from dagster._core.execution.api import execute_run
    from dagster._core.remote_origin import ManagedGrpcPythonEnvCodeLocationOrigin, RemoteRepositoryOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.utils import make_new_run_id

    from reform_pipeline.resources import worker_tags

    module, job_name = target.module, target.job_name
    recon_job = ReconstructableRepository.for_module(module, "defs", working_directory=str(REPO)) \
        .get_reconstructable_job(job_name)
    origin = RemoteRepositoryOrigin(
        ManagedGrpcPythonEnvCodeLocationOrigin(
            LoadableTargetOrigin(executable_path=sys.executable, module_name=module, working_directory=str(REPO)),
            location_name=target.location,
        ),
        REPOSITORY,
    )
    run_id = make_new_run_id()
    run = instance.create_run_for_job(
        job_def=recon_job.get_definition(),
        run_id=run_id,
        run_config=RUN_CONFIG,
        tags={"started_by": "make run", **target.tags, **worker_tags(run_id)},
        remote_job_origin=origin.get_job_origin(job_name),
        job_code_origin=recon_job.get_python_origin(),
    )
    return execute_run(recon_job, run, instance, raise_on_error=False)


def open_instance():
    """The Dagster instance of DAGSTER_HOME (an ephemeral one without it), its storage made
    ready under a lock: two first runs on a fresh DAGSTER_HOME would otherwise both create its
    SQLite tables, and one of them fail ("table snapshots already exists")."""
    import fcntl

    from dagster import AssetKey, DagsterInstance

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return DagsterInstance.ephemeral()
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, ".reform_pipeline-setup.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        instance = DagsterInstance.get()
        instance.get_run_records(limit=1)
        instance.get_latest_materialization_event(AssetKey("units"))
        return instance


def _interrupt(signum, frame) -> None:
    _interrupted.append(signum)
    raise KeyboardInterrupt(f"signal {signum}")


def report_failure(result) -> int:
    """Say why the run failed and return the exit status that tells it."""
    failures = [event for event in result.all_events if event.is_step_failure]
    # a resource that could not start (the run lock held too long) fails the run, not a step
    errors = [event.step_failure_data.error for event in failures] + [
        event.event_specific_data.error for event in result.all_events
        if event.event_type_value in ("RUN_FAILURE", "PIPELINE_FAILURE", "RESOURCE_INIT_FAILURE")
        and getattr(event.event_specific_data, "error", None) is not None
    ]
    for error in errors:
        named = _operator_error(error)
        if named is not None:
            kind, message = named
            print(f"error: {message}", file=sys.stderr)
            return EXIT_BUSY if kind in _BUSY_ERRORS else EXIT_CONFIG
    if not failures and errors:
        print(f"error: {_root_cause(errors[-1])}", file=sys.stderr)
    for event in failures:
        error = event.step_failure_data.error
        if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
            print(f"error: a blocking check failed in step {event.step_key} (ERROR below)", file=sys.stderr)
        else:
            print(f"error in step {event.step_key}: {_root_cause(error)}", file=sys.stderr)
    print_checks(result, sys.stderr)
    print("the run failed; the previous BI file, if any, was left in place", file=sys.stderr)
    return EXIT_FAILED


def _operator_error(error) -> tuple[str, str] | None:
    """(class name, message) of a configuration, input or busy-warehouse error in ``error``'s
    chain of causes, or None."""
    seen = 0
    while error is not None and seen < 10:
        if error.cls_name in _CONFIG_ERRORS | _BUSY_ERRORS:
            message = error.message.strip()
            # "ConfigError: …" or "reform_pipeline.warehouse_access.WarehouseBusy: …"
            head, separator, rest = message.partition(": ")
            if separator and head.split(".")[-1] == error.cls_name:
                message = rest
            return error.cls_name, " ".join(message.split())
        error = error.cause or error.context
        seen += 1
    return None


def _root_cause(error) -> str:
    """The innermost error of Dagster's wrapping chain, as ``Class: message`` on one line."""
    while error is not None and (error.cause or error.context) is not None \
            and error.cls_name.startswith("Dagster"):
        error = error.cause or error.context
    if error is None:
        return ""
    lines = error.message.strip().splitlines()
    return lines[0] if lines else error.cls_name


def print_checks(result, out) -> None:
    """The asset checks that failed (ERROR) or warned (WARN), with what they found."""
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    print(f"Checks: {len(evaluations) - len(failed)} of {len(evaluations)} passed", file=out)
    for e in failed:
        print(f"  {e.severity.value:<5} {e.asset_key.to_user_string()} {e.check_name}: {e.description}", file=out)
    if failed:
        print("  (what each check means and what to do: docs/operating.md)", file=out)


def run_summary_of(result) -> str:
    """The summary the publish step wrote into its metadata (publish/summary.py)."""
    for materialization in result.asset_materializations_for_node("bi_database"):
        summary = materialization.metadata.get("run_summary")
        if summary is not None:
            return summary.value
    return "  (no summary: the BI file was not published by this run)"


def national_summary_of(result) -> str:
    """The national roll-up's metadata, one line per entry."""
    for materialization in result.asset_materializations_for_node("national_bi"):
        return "\n".join(f"  {key}: {getattr(value, 'value', value)}"
                         for key, value in materialization.metadata.items())
    return "  (the national roll-up published nothing)"


def preflight(settings: Settings) -> None:
    """Fail early, with a message that names the folder or file, when a required input is
    missing or an output cannot be written."""
    files, skipped = survey(settings.raw_dir)
    for kind in ("agencies", "procedures"):
        if not files[kind]:
            # a file of that name that is not read (empty, compressed …) says why (docs/spec §2.0)
            not_read = "".join(f"; {r.file_name} is skipped: {r.message}" for r in skipped if r.kind == kind)
            raise MissingInput(
                f"no {kind} file in {settings.raw_dir}: expected {kind}*.csv, {kind}*.xlsx or {kind}*.parquet"
                f"{not_read}"
            )
    check_writable_file_path("REFORM_WAREHOUSE", settings.warehouse)
    check_writable_file_path("REFORM_BI_DB", settings.bi_db)


def exit_now(code: int) -> None:
    """Leave with ``code`` once everything is printed, without the interpreter's final garbage
    collection: by then every file is written and closed, and that collection over Dagster's
    objects is slow (docs/decisions/0008-in-process-run-and-dagster-overhead.md)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    # The code location lives as long as the command: frozen out of the garbage collector's
    # sight, it no longer lengthens the collector's passes during the run
    # (docs/decisions/0008-in-process-run-and-dagster-overhead.md).
    # Only here, where exit_now follows: frozen objects are never freed, which a normal
    # interpreter exit reports (DuckDB's bindings list them as leaked).
    # The cyclic collector is then off for the run: its passes over Dagster's objects took
    # 0.42 s of a 1M run, and the cycles it would free add 30-60 MB to a run's peak, the same
    # whatever the data's size (the rows live in DuckDB, not in Python objects); the process
    # ends with the run (docs/decisions/0014-one-open-warehouse-and-the-1m-target.md).
    try:
        importlib.import_module(target_of(parse_args()).module)
    except (ConfigError, MissingInput) as exc:
        print(f"error: {exc}", file=sys.stderr)
        exit_now(EXIT_CONFIG)
    gc.freeze()
    gc.disable()
    exit_now(main())
