-- Record many files in meta.input_files (docs/spec §5 run_info reads it), one list per column,
-- in two statements whatever their number; $batch: the validation batch that wrote their
-- dossier rows (NULL for other files).
DELETE FROM meta.input_files WHERE file_name IN (SELECT unnest($names));

-- The columns are named, not taken by position.
INSERT INTO meta.input_files (
    file_name, kind, sha256, size_bytes, modified_at, status, message, rows_read, rows_quarantined,
    unknown_columns, ignored_sheets, ingested_at, merged, batch_seq, previous_version_kept)
SELECT unnest($names), unnest($kinds), unnest(CAST($hashes AS VARCHAR[])), unnest(CAST($sizes AS BIGINT[])),
    unnest(CAST($modified AS TIMESTAMP[])),
    unnest($statuses), unnest($messages), unnest($read), unnest($quarantined),
    unnest($unknown, max_depth := 1), unnest(CAST($sheets AS VARCHAR[][]), max_depth := 1),
    current_localtimestamp(), $merged, CAST($batch AS BIGINT), unnest(CAST($kept AS BOOLEAN[]));
