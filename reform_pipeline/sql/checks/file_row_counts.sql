-- Rows of every input file, as read and as stored (docs/spec §2: a row that breaks a rule goes to
-- quarantine; it never silently disappears). One row per file:
--   rows_read                  data rows the ingest read from the file (meta.input_files)
--   rows_staged                dossier exports: valid rows in staging.dossier_rows (reason
--                              IS NULL); reference files: NULL, their valid rows are merged
--                              across files by key and keep no per-file count
--   rows_quarantined           rows of the file in meta.quarantine now
--   rows_quarantined_recorded  the quarantine count recorded for the file (meta.input_files,
--                              what run_info shows, docs/spec §5): the ingest's, then each
--                              re-check's; it must equal rows_quarantined
-- Dossier exports: every ingested export, plus any file that has staged or quarantined rows
-- but no ingested export behind it (rows_read NULL). Reference files: the latest reference
-- batch only (all reference files are re-read every run, in one transaction, so they share
-- ingested_at; a file removed from the raw folder since then keeps a stale row).
WITH dossier_files AS (
    -- an export unreadable or skipped now whose previous version is kept is counted as that
    -- version (docs/spec §2.0, "A file that breaks later")
    SELECT file_name, rows_read, rows_quarantined AS rows_quarantined_recorded
    FROM meta.input_files
    WHERE kind = 'dossiers' AND (status = 'ingested' OR coalesce(previous_version_kept, FALSE))
),
staged AS (
    SELECT source_file AS file_name, count(*) AS rows_staged
    FROM staging.dossier_rows
    WHERE reason IS NULL
    GROUP BY source_file
),
quarantined AS (
    SELECT kind, source_file AS file_name, count(*) AS rows_quarantined
    FROM meta.quarantine
    GROUP BY kind, source_file
),
dossier_quarantined AS (
    SELECT file_name, rows_quarantined FROM quarantined WHERE kind = 'dossiers'
),
dossier_names AS (
    SELECT file_name FROM dossier_files
    UNION
    SELECT file_name FROM staged
    UNION
    SELECT file_name FROM dossier_quarantined
),
reference_files AS (
    SELECT kind, file_name, rows_read, rows_quarantined AS rows_quarantined_recorded
    FROM meta.input_files
    WHERE kind IN ('agencies', 'unit_changes', 'procedures', 'calendar', 'targets', 'rankings')
      AND (status = 'ingested' OR coalesce(previous_version_kept, FALSE))
      AND ingested_at = (
          SELECT max(ingested_at) FROM meta.input_files
          WHERE kind IN ('agencies', 'unit_changes', 'procedures', 'calendar', 'targets', 'rankings'))
)
SELECT
    'dossiers' AS kind,
    names.file_name,
    files.rows_read,
    coalesce(staged.rows_staged, 0) AS rows_staged,
    coalesce(quarantined.rows_quarantined, 0) AS rows_quarantined,
    files.rows_quarantined_recorded
FROM dossier_names AS names
LEFT JOIN dossier_files AS files USING (file_name)
LEFT JOIN staged USING (file_name)
LEFT JOIN dossier_quarantined AS quarantined USING (file_name)
UNION ALL
SELECT
    files.kind,
    files.file_name,
    files.rows_read,
    NULL AS rows_staged,
    coalesce(quarantined.rows_quarantined, 0) AS rows_quarantined,
    files.rows_quarantined_recorded
FROM reference_files AS files
LEFT JOIN quarantined USING (kind, file_name)
ORDER BY kind, file_name;
