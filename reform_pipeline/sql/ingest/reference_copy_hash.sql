-- The content hash of the copy kept of one reference file (docs/spec §2.0), if any.
SELECT sha256 FROM meta.reference_copies WHERE file_name = $file_name
