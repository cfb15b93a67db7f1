"""The nightly schedule: the whole pipeline at 01:30 Vietnam time, after the night's exports."""

from dagster import DefaultScheduleStatus, ScheduleDefinition

from reform_pipeline.ops import NIGHTLY_JOB_NAME, VIETNAM_TIMEZONE

NIGHTLY_CRON = "30 1 * * *"

nightly_schedule = ScheduleDefinition(
    name="nightly_refresh_0130",
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=VIETNAM_TIMEZONE,
    job_name=NIGHTLY_JOB_NAME,
    default_status=DefaultScheduleStatus.RUNNING,
    description=(
        "Runs the whole pipeline every night at 01:30 Asia/Ho_Chi_Minh: ingest the new exports, "
        "rebuild the model, score and publish the BI file. On as soon as the daemon runs."
    ),
)
