-- ingest/latest_data_date.sql over the rows of the exports being merged alone (the filter of
-- ingest/ingest_batch_rows.sql): rows are only added since the last merge, so they can only move
-- the latest date forward (docs/spec §3).
SELECT CAST(greatest(max(received_at), max(finished_at), max(returned_at), max(updated_at)) AS DATE) FROM staging.dossier_rows WHERE reason IS NULL AND batch_seq >= $first_batch AND source_file IN (SELECT file_name FROM ingest_batch)
