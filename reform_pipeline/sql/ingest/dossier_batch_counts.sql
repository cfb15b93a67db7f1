-- Rows read and rows quarantined per export by validation batch $batch (docs/spec §5 run_info).
SELECT source_file, count(*), count(reason) FROM staging.dossier_rows WHERE batch_seq = $batch GROUP BY source_file
