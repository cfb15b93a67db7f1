-- The latest date among valid dossier rows as the last merge recorded it (docs/spec §3's default
-- as-of; NULL before the first merge).
SELECT max(latest_data_date) FROM meta.ingest_state
