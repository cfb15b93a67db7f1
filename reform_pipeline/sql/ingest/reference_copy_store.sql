-- Keep the last readable version of one reference file (docs/spec §2.0, "A file that breaks later").
INSERT OR REPLACE INTO meta.reference_copies (file_name, kind, sha256, content)
VALUES ($file_name, $kind, $sha256, $content)
