-- The content hash of every ingested dossier export, including one whose previous version is kept:
-- an export under another name with the same content is a duplicate, not counted again (docs/spec §2).
SELECT sha256, file_name FROM meta.input_files
WHERE kind = 'dossiers' AND (status = 'ingested' OR coalesce(previous_version_kept, FALSE))
