"""Dagster resources: the warehouse connection and the REFORM_* settings (SPEC §3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource

from reform_pipeline.settings import Settings, parse_as_of


class ReformSettings(ConfigurableResource):
    """Where the inputs and outputs live, and the as-of date (empty: derived from the data)."""

    raw_dir: str
    bi_db: str
    as_of: str = ""

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def bi_path(self) -> Path:
        return Path(self.bi_db)

    @property
    def as_of_date(self) -> dt.date | None:
        return parse_as_of(self.as_of)


def resources_from(settings: Settings) -> dict:
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return {
        "warehouse": DuckDBResource(database=str(settings.warehouse), connection_config=settings.duckdb_config()),
        "reform": ReformSettings(
            raw_dir=str(settings.raw_dir),
            bi_db=str(settings.bi_db),
            as_of=settings.as_of.isoformat() if settings.as_of else "",
        ),
    }
