-- Remove every row an export ($file_name) contributed, valid or quarantined: the export was
-- re-sent with other content, or another name now holds its content (docs/spec §2). The
-- latest versions are then rebuilt (ingest/ingest_state_needs_rebuild.sql).
DELETE FROM staging.dossier_rows WHERE source_file = $file_name;

DELETE FROM meta.quarantine WHERE kind = 'dossiers' AND source_file = $file_name;
