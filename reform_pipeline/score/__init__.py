"""Score stage: the 766-style index and the plan scorecard (docs/spec §4.5–4.6).

The tables are computed by ``sql/score/index_766.sql`` and ``sql/score/scorecard.sql``;
:mod:`reform_pipeline.score.build` runs them and summarises the result for Dagster metadata.
"""

from reform_pipeline.score.build import build_index_766, build_scorecard

__all__ = ["build_index_766", "build_scorecard"]
