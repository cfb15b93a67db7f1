-- A dossier export once ingested is now unreadable or skipped ($status, $message): the rows of its
-- last readable version stay in use and counted under its name; its record keeps that version's
-- hash, size, time and counts (docs/spec §2.0, "A file that breaks later").
UPDATE meta.input_files
SET status = $status, message = $message, previous_version_kept = TRUE
WHERE file_name = $file_name
