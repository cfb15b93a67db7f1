-- The stored rows ingest/dossier_future_recheck.sql moved into the quarantine (docs/spec §2.1).
SELECT count(*) FROM future_event_rows
