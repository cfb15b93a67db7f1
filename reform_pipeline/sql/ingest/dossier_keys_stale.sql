-- Whether rows were written under another key function before the first merge (docs/spec
-- §2.1): each validation batch is one statement under one DuckDB, so its first row speaks for
-- all of its rows.
SELECT count(*) FROM staging.dossier_rows WHERE rowid IN (SELECT min(rowid) FROM staging.dossier_rows GROUP BY batch_seq) AND dossier_key IS DISTINCT FROM id_key(dossier_id)
