-- The quarantine counts in meta.input_files follow every re-check from now on (docs/spec §5
-- run_info).
UPDATE meta.ingest_state SET quarantine_counts_current = TRUE
