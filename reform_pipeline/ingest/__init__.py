"""Ingest stage: raw exports → staging tables + quarantine (docs/spec §2)."""
