-- How many exports this merge takes in (docs/spec §2.1).
SELECT count(*) FROM ingest_batch
