-- The exports to merge (docs/spec §2.1): ingested, and not merged yet.
CREATE OR REPLACE TEMP TABLE ingest_batch AS SELECT file_name FROM meta.input_files WHERE kind = 'dossiers' AND status = 'ingested' AND NOT merged
