"""The console logger of every run: one line per message, no stack traces.

Dagster's default console logger prints a failed step's whole stack trace on the terminal. The
stack stays in the run's event log (the Dagster UI shows it); the terminal of `make run` and the
run worker's log get one line per message, and `make run` ends with what failed and what to do.
"""

from __future__ import annotations

import logging
import sys

from dagster import Field, logger
from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata
from dagster._core.utils import coerce_valid_log_level


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = self.formatTime(record, "%H:%M:%S")
        if has_log_record_metadata(record):
            meta = get_log_record_metadata(record)
            message = meta.get("orig_message") or record.getMessage()
            where = meta.get("step_key") or meta.get("resource_name") or meta.get("job_name") or ""
        else:
            message, where = record.getMessage(), ""
        first = message.strip().splitlines()[0] if message.strip() else ""
        return f"{when} {record.levelname:<7} {where + ': ' if where else ''}{first}"


@logger(
    config_schema={
        "log_level": Field(str, is_required=False, default_value="INFO"),
        "name": Field(str, is_required=False, default_value="reform_pipeline"),
    },
    description="One line per message on stdout, no stack traces (the event log keeps them).",
)
def one_line_console_logger(init_context) -> logging.Logger:
    level = coerce_valid_log_level(init_context.logger_config["log_level"])
    klass = logging.getLoggerClass()
    console = klass(init_context.logger_config["name"], level=level)
    # progress is the normal output of a run: stdout; stderr is left to what went wrong
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(OneLineFormatter())
    console.addHandler(handler)
    return console
