"""Nightly operation in Dagster: the schedule, the raw-folder sensor and the asset checks.

docs/operating.md explains how to run it and what to do when a check fails.
"""

# The job that runs the whole pipeline (definitions.py defines it; schedule and sensor target it).
NIGHTLY_JOB_NAME = "nightly_refresh"
# Vietnam time (UTC+7, no DST): the schedule and the export-freshness check use it.
VIETNAM_TIMEZONE = "Asia/Ho_Chi_Minh"
