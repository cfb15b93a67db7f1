"""The code location of the provinces deployment (docs/deploy.md, docs/spec §3.1).

The single-province pipeline's assets and checks, unchanged, partitioned by province: a run of
partition ``56`` builds Khánh Hòa under ``$REFORM_PROVINCES_DIR/56/`` (reform_pipeline/provinces.py
points the resources there when the run starts). Around them:

- ``province_refresh``: the whole pipeline for one province, one run per province;
- ``nightly_provinces_0130``: at 01:30 Vietnam time, one run per province of the provinces file,
  all tagged with the night; Dagster's run queue runs them, as many at once as DAGSTER_HOME's
  ``max_concurrent_runs`` allows and never two of one province (deploy/provinces/dagster.yaml);
- ``province_raw_folders_sensor``: a run of a province when a file of its raw folder is new or
  changed;
- ``national_after_provinces``: once every province run of the night has finished, one run of
  ``national_rollup``, which reads the provinces' published BI files and publishes the national
  one (reform_pipeline/national/).

A province that fails, or whose publish gate stops it (docs/spec §5.1), stops only its own run:
its BI file keeps the previous numbers, which the national file shows with their as-of date.
"""


import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

from dagster import (
    AssetExecutionContext,
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    MaterializeResult,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    in_process_executor,
    map_asset_specs,
    schedule,
    sensor,
    static_partitioned_config,
)

from reform_pipeline.assets_common import DUCKDB_KINDS, OWNERS
from reform_pipeline.definitions import ALL_ASSETS, ALL_CHECKS
from reform_pipeline.ops import VIETNAM_TIMEZONE
from reform_pipeline.ops.console import one_line_console_logger
from reform_pipeline.ops.schedules import NIGHTLY_CRON
from reform_pipeline.ops.sensors import changed_files_tag, new_or_changed, run_key
from reform_pipeline.provinces import (
    Deployment,
    ProvinceResource,
    k8s_national_tags,
    k8s_province_tags,
    k8s_volumes_on,
)
from reform_pipeline.raw_folder import recorded_inputs, snapshot

PROVINCE_JOB_NAME = "province_refresh"
NATIONAL_JOB_NAME = "national_rollup"
# The night a province run belongs to (the schedule's date in Vietnam): the national sensor waits
# for every run of a night.
NIGHT_TAG = "reform/night"
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}

# Read once, when the code location loads: the partitions, the schedule, the sensors and the
# roll-up all follow this list (a changed provinces file takes effect on reload).
deployment = Deployment.from_env()
province_partitions = StaticPartitionsDefinition(deployment.codes)

PROVINCE_ASSETS = map_asset_specs(lambda spec: spec.replace_attributes(partitions_def=province_partitions),
                                  ALL_ASSETS)


def province_run_tags(code: str) -> dict[str, str]:
    """Tags every run of province ``code`` carries, however it is launched: on Kubernetes
    (REFORM_K8S_VOLUMES=1), the mounts of the province's own volumes (docs/deploy.md)."""
    return k8s_province_tags(code, deployment.root) if k8s_volumes_on() else {}


@static_partitioned_config(deployment.codes, tags_for_partition_key_fn=province_run_tags)
def province_run_config(code: str) -> dict:
    return {}


# One province per run, in one process, as the single-province job (definitions.py): its steps
# share the province's warehouse file.
province_job = define_asset_job(
    PROVINCE_JOB_NAME, selection=AssetSelection.assets(*PROVINCE_ASSETS), config=province_run_config,
    executor_def=in_process_executor, tags={"dagster/retry_strategy": "ALL_STEPS"},
    description="The whole pipeline for one province (its partition): its warehouse, BI file and page.",
)


def latest_province_runs(instance, codes: list[str]) -> dict[str, object]:
    """Each province's latest run of ``province_refresh`` (None: never run)."""
    latest = {}
    for code in codes:
        runs = instance.get_runs(
            filters=RunsFilter(job_name=PROVINCE_JOB_NAME, tags={"dagster/partition": code}), limit=1)
        latest[code] = runs[0] if runs else None
    return latest


@asset(
    group_name="national", kinds=DUCKDB_KINDS, owners=OWNERS, deps=["bi_database"],
)
def national_bi(context: AssetExecutionContext) -> MaterializeResult:
    """The national BI file and page (`$REFORM_PROVINCES_DIR/national/`): every mart table of the
    provinces' published BI files with a province column, the provinces with the as-of date of the
    numbers shown, and the national 766 ranking. Reads the provinces' files read-only; a province
    whose last run failed shows its previous numbers, marked (docs/spec §5.2)."""
    from reform_pipeline.national import ProvinceSource, build_national

    runs = latest_province_runs(context.instance, deployment.codes)
    sources = [
        ProvinceSource(
            code=p.code, name=p.name, bi_db=p.bi_db,
            last_run_status=runs[p.code].status.value if runs[p.code] is not None else None,
            last_run_id=runs[p.code].run_id if runs[p.code] is not None else None,
        )
        for p in deployment.provinces
    ]
    summary = build_national(sources, deployment.national_bi, run_id=context.run.run_id, log=context.log.info)
    return MaterializeResult(metadata=summary.as_metadata())


national_job = define_asset_job(
    NATIONAL_JOB_NAME, selection=AssetSelection.assets(national_bi), executor_def=in_process_executor,
    tags=k8s_national_tags(deployment.root) if k8s_volumes_on() else None,
    description="The national BI file and page, from the provinces' published BI files.",
)


def night_of(when: dt.datetime) -> str:
    """The date in Vietnam of a schedule tick: the night its runs belong to."""
    return when.astimezone(ZoneInfo(VIETNAM_TIMEZONE)).date().isoformat()


@schedule(
    name="nightly_provinces_0130", cron_schedule=NIGHTLY_CRON, execution_timezone=VIETNAM_TIMEZONE,
    job=province_job, default_status=DefaultScheduleStatus.RUNNING,
    description=(
        "Every night at 01:30 Asia/Ho_Chi_Minh, one run per province of the provinces file, queued: "
        "the run queue starts as many as DAGSTER_HOME's max_concurrent_runs allows, one per province "
        "at a time. The national roll-up follows once they have all finished."
    ),
)
def nightly_provinces(context: ScheduleEvaluationContext):
    night = night_of(context.scheduled_execution_time)
    return [
        RunRequest(run_key=f"{night}-{code}", partition_key=code, tags={NIGHT_TAG: night})
        for code in deployment.codes
    ]


def night_is_over(runs_of_night: list, codes: list[str]) -> tuple[bool, str]:
    """Whether the latest run of each province of ``codes`` in ``runs_of_night`` has finished;
    with what is still awaited when not. A province with no run that night (added to the
    provinces file after the schedule's tick) is not waited for: the roll-up shows its previous
    numbers, and no night waits for a run that will never come."""
    latest: dict[str, object] = {}
    for run in runs_of_night:  # newest first
        code = run.tags.get("dagster/partition")
        if code in codes and code not in latest:
            latest[code] = run
    waiting = [c for c in codes if c in latest and latest[c].status not in FINISHED]
    if not latest:
        return False, "no province run that night"
    if waiting:
        return False, f"{len(waiting)} of {len(latest)} province runs not finished (first: {', '.join(waiting[:5])})"
    return True, ""


@sensor(
    name="national_after_provinces", job=national_job, minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Starts the national roll-up once every province run of the latest night has finished "
        "(succeeded, failed or canceled), and again if a province is rerun that night."
    ),
)
def national_after_provinces(context: SensorEvaluationContext):
    tagged = context.instance.get_run_records(filters=RunsFilter(job_name=PROVINCE_JOB_NAME), limit=200)
    nights = sorted({r.dagster_run.tags[NIGHT_TAG] for r in tagged if NIGHT_TAG in r.dagster_run.tags})
    if not nights:
        return SkipReason("no province run of a night yet")
    night = nights[-1]
    runs = context.instance.get_runs(filters=RunsFilter(job_name=PROVINCE_JOB_NAME, tags={NIGHT_TAG: night}))
    codes = deployment.codes
    over, waiting = night_is_over(runs, codes)
    if not over:
        return SkipReason(f"night {night}: {waiting}")
    finals = sorted(run.run_id for run in runs if run.status in FINISHED)
    key = hashlib.sha256("\n".join(finals).encode()).hexdigest()[:16]
    return RunRequest(run_key=f"national-{night}-{key}", tags={NIGHT_TAG: night})


@sensor(
    name="province_raw_folders_sensor", job=province_job, minimum_interval_seconds=60,
    # Off until an operator turns it on: 34 provinces' exports land through the evening, and the
    # 01:30 schedule builds every province once they are in; runs on arrival would build most
    # provinces twice a night.
    default_status=DefaultSensorStatus.STOPPED,
    description=(
        "Off by default. Starts a run of a province when an export or reference file in its raw "
        "folder is new or changed (name, size, modification time), as the single-province "
        "raw-folder sensor does: one run per province and tick, tagged with the day, so that the "
        "national roll-up follows."
    ),
)
def province_raw_folders(context: SensorEvaluationContext):
    seen = json.loads(context.cursor) if context.cursor else {}
    cursor, requests = {}, []
    night = night_of(dt.datetime.now(dt.timezone.utc))
    for province in deployment.provinces:
        if not province.raw_dir.is_dir():
            continue
        current = snapshot(province.raw_dir)
        cursor[province.code] = current
        # files a run of the province has just read start no second run (reform_pipeline/raw_folder.py)
        changed = new_or_changed(seen.get(province.code, {}), current, recorded_inputs(province.warehouse))
        if not changed:
            continue
        context.log.info(f"province {province.code}: {len(changed)} new or changed input file(s)")
        requests.append(RunRequest(
            run_key=f"{province.code}-{run_key(current, changed)}", partition_key=province.code,
            tags={"reform/trigger": "province_raw_folders_sensor", "reform/changed_files": changed_files_tag(changed),
                  NIGHT_TAG: night},
        ))
    if not requests:
        return SensorResult(skip_reason="no new or changed input file in any province's raw folder that no run "
                                        "has read", cursor=json.dumps(cursor, sort_keys=True))
    return SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))


defs = Definitions(
    assets=[*PROVINCE_ASSETS, national_bi],
    asset_checks=ALL_CHECKS,
    jobs=[province_job, national_job],
    schedules=[nightly_provinces],
    sensors=[national_after_provinces, province_raw_folders],
    resources={"warehouse": ProvinceResource(resource_key="warehouse"),
               "reform": ProvinceResource(resource_key="reform")},
    executor=in_process_executor,
    loggers={"console": one_line_console_logger},
)
