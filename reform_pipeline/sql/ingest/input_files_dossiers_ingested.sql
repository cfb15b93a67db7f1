-- How many dossier exports the warehouse holds as ingested: with no export in the raw folder
-- and none ingested before, the run has nothing to measure (docs/spec §2).
SELECT count(*) FROM meta.input_files WHERE kind = 'dossiers' AND status = 'ingested'
