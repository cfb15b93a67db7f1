-- The number of the next validation batch (staging.dossier_rows.batch_seq; docs/spec §2.1).
SELECT nextval('meta.dossier_batches')
