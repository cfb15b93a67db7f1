-- What this merge leaves for the next one (ingest/merge.py, IngestState; docs/spec §2.1, §3).
DELETE FROM meta.ingest_state;

INSERT INTO meta.ingest_state (reference_fingerprint, needs_full_rebuild, latest_data_date, dossier_key_hash, quarantine_counts_current) VALUES ($fingerprint, FALSE, $latest, $key_hash, TRUE);
