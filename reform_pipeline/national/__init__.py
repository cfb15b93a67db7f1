"""The national roll-up (docs/spec §5.2): the province BI files unioned into one national BI file
and page. ``build_national`` is the entry point; the Dagster asset calls it."""

from reform_pipeline.national.build import (
    CURRENT,
    MISSING,
    PREVIOUS,
    PREVIOUS_NATIONAL,
    STATUSES,
    NationalSummary,
    ProvinceResult,
    ProvinceSource,
    build_national,
)

__all__ = [
    "CURRENT",
    "MISSING",
    "PREVIOUS",
    "PREVIOUS_NATIONAL",
    "STATUSES",
    "NationalSummary",
    "ProvinceResult",
    "ProvinceSource",
    "build_national",
]
