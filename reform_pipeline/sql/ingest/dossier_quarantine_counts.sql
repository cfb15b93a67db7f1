-- The quarantine count of every ingested dossier export, as meta.quarantine holds it now
-- (docs/spec §5: run_info's rows_quarantined is the count "as the latest re-check counts them: equal
-- to that file's rows in quarantine_summary"; run_info reads meta.input_files). The validation
-- records each new export's count with its rows (ingest/validation.py, validate_dossiers); this statement
-- follows a step that changes the quarantine of stored rows (a re-check after the unit tree or
-- catalogue changed, ingest/dossier_recheck.sql; events dated after the run's day,
-- ingest/dossier_future_recheck.sql), in that step's transaction. Only counts that changed are
-- written; a nightly merge without a re-check never runs it.
UPDATE meta.input_files AS files
SET rows_quarantined = counted.rows_quarantined
FROM (
    SELECT listed.file_name, coalesce(held.rows_quarantined, 0) AS rows_quarantined
    FROM meta.input_files AS listed
    LEFT JOIN (
        SELECT source_file, count(*) AS rows_quarantined
        FROM meta.quarantine
        WHERE kind = 'dossiers'
        GROUP BY source_file
    ) AS held ON held.source_file = listed.file_name
    WHERE listed.kind = 'dossiers'
      AND (listed.status = 'ingested' OR coalesce(listed.previous_version_kept, FALSE))
) AS counted
WHERE files.file_name = counted.file_name
  AND files.kind = 'dossiers' AND (files.status = 'ingested' OR coalesce(files.previous_version_kept, FALSE))
  AND files.rows_quarantined IS DISTINCT FROM counted.rows_quarantined;
