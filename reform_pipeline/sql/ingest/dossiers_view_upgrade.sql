-- Brings a warehouse whose staging.dossiers is a table (a copy of the latest rows) to the
-- current layout, where staging.dossiers is a view over the rows of staging.dossier_rows
-- flagged is_latest (ingest/schema.sql). Run in one transaction, only while staging.dossiers is
-- a table; the flags are set by the full rebuild that the next merge then does.
ALTER TABLE staging.dossier_rows ADD COLUMN IF NOT EXISTS is_latest BOOLEAN DEFAULT FALSE;

DROP TABLE staging.dossiers;

UPDATE meta.ingest_state SET needs_full_rebuild = TRUE;
