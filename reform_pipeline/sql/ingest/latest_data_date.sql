-- docs/spec §3's default as-of: the latest received, finished, returned or updated date of a
-- valid row.
SELECT CAST(greatest(max(received_at), max(finished_at), max(returned_at), max(updated_at)) AS DATE) FROM staging.dossier_rows WHERE reason IS NULL
