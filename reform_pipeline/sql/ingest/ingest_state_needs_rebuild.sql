-- The next merge rebuilds the latest versions in full (docs/spec §2.1): stored rows were removed
-- or moved into the quarantine.
UPDATE meta.ingest_state SET needs_full_rebuild = TRUE
