"""Publish stage: the BI file and the scorecard page (docs/spec §5)."""
