"""Model stage (docs/spec §4.1–4.4, §4.7): working-day calendar, the unit tree at the as-of date,
dossier facts, unit metrics on the tree as it was and on today's tree."""

from reform_pipeline.model.build import (
    build_calendar,
    build_dossier_facts,
    build_unit_history,
    build_unit_metrics,
    build_unit_metrics_current,
)

__all__ = [
    "build_calendar", "build_dossier_facts", "build_unit_history", "build_unit_metrics",
    "build_unit_metrics_current",
]
