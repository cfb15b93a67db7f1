-- id_key() of a fixed id ($text): it stands for the key function (ingest/macros.sql) and
-- DuckDB's hash() in meta.ingest_state.dossier_key_hash (docs/spec §2.1).
SELECT id_key($text)
