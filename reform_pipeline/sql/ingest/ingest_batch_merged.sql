-- The exports of this merge are merged (docs/spec §2.1).
UPDATE meta.input_files SET merged = TRUE WHERE file_name IN (SELECT file_name FROM ingest_batch)
