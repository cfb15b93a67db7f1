"""The nightly schedule: the whole pipeline at 01:30 Vietnam time (UTC+7, no DST)."""

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import DefaultScheduleStatus, build_schedule_context

from reform_pipeline.ops.schedules import nightly_schedule


def test_runs_nightly_refresh_at_0130_asia_ho_chi_minh():
    assert nightly_schedule.cron_schedule == "30 1 * * *"
    assert nightly_schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert nightly_schedule.job_name == "nightly_refresh"
    assert nightly_schedule.default_status == DefaultScheduleStatus.RUNNING


def test_a_tick_requests_one_run_of_the_whole_pipeline():
    tick = dt.datetime(2025, 3, 11, 1, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # 2025-03-10 18:30 UTC
    result = nightly_schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick))
    assert len(result.run_requests) == 1
    assert result.run_requests[0].asset_selection is None  # the job's own selection: every asset
