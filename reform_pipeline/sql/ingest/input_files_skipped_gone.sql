-- Forget the skipped files that are no longer in the raw folder ($names: the skipped ones that
-- are); a skipped export whose previous version's rows are kept stays listed (docs/spec §2.0).
DELETE FROM meta.input_files
WHERE status = 'skipped' AND NOT coalesce(previous_version_kept, FALSE)
  AND file_name NOT IN (SELECT unnest(CAST($names AS VARCHAR[])))
