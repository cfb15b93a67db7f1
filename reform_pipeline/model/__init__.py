"""Model stage (docs/spec §4.1–4.4): working-day calendar, dossier facts, unit metrics."""

from reform_pipeline.model.build import build_calendar, build_dossier_facts, build_unit_metrics

__all__ = ["build_calendar", "build_dossier_facts", "build_unit_metrics"]
