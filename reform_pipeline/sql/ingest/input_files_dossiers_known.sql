-- What the warehouse recorded of each dossier export it has seen: a file with the same name,
-- size and modification time is not read again, nor hashed (docs/spec §2: each export is
-- ingested once, recognised by its content).
SELECT file_name, sha256, size_bytes, modified_at, status, coalesce(previous_version_kept, FALSE)
FROM meta.input_files WHERE kind = 'dossiers'
