-- The page's "about the data" box (docs/spec §2.0, §5 run_info): every input file seen by the
-- run, with its kind, status and counts, and for a skipped or unreadable file its reason, for a
-- duplicate what it duplicates (file names and reasons only, never a cell of a file).
SELECT file_name, kind, status, coalesce(rows_read, 0) AS rows_read,
       coalesce(rows_quarantined, 0) AS rows_quarantined,
       CASE WHEN status IN ('skipped', 'unreadable', 'duplicate') THEN message END AS reason,
       coalesce(previous_version_kept, FALSE) AS previous_version_kept
FROM meta.input_files
ORDER BY kind <> 'dossiers', kind, file_name
