-- The smallest validation batch of the exports to merge: their rows lie in batches from there on
-- (0, i.e. everywhere, when a file was recorded before batches were numbered; docs/spec §2.1).
SELECT CASE WHEN count(*) = count(batch_seq) THEN coalesce(min(batch_seq), 0) ELSE 0 END FROM meta.input_files WHERE file_name IN (SELECT file_name FROM ingest_batch)
