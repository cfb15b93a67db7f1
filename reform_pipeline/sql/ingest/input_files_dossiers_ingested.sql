-- How many dossier exports the warehouse holds rows of (ingested, or a previous version kept):
-- with no export in the raw folder and none ingested before, the run has nothing to measure
-- (docs/spec §2).
SELECT count(*) FROM meta.input_files
WHERE kind = 'dossiers' AND (status = 'ingested' OR coalesce(previous_version_kept, FALSE))
