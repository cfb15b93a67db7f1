-- The last readable version of one reference file (docs/spec §2.0), if the warehouse keeps one.
SELECT content FROM meta.reference_copies WHERE file_name = $file_name
