"""Ingest stage: raw exports → staging tables + quarantine (SPEC §2)."""
