-- What the last merge recorded (ingest/merge.py, IngestState; docs/spec §2.1, §3).
SELECT reference_fingerprint, needs_full_rebuild, latest_data_date, dossier_key_hash, quarantine_counts_current FROM meta.ingest_state
