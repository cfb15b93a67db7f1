"""Publish stage: the BI file and the scorecard page (SPEC §5)."""
