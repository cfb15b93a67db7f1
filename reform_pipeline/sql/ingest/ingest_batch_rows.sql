-- The rows of the exports being merged (docs/spec §2.1). batch_seq >= $first_batch only lets the
-- zone maps skip the history's row groups; the file names decide (the same filter as
-- ingest/dossiers_merge.sql's candidates and ingest/latest_data_date_in_batch.sql).
SELECT count(*) FROM staging.dossier_rows WHERE batch_seq >= $first_batch AND source_file IN (SELECT file_name FROM ingest_batch)
