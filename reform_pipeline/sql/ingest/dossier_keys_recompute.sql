-- Every stored dossier_key computed again under this DuckDB (docs/spec §2.1): a key gone stale
-- would hide a dossier's current row from the nightly merge.
UPDATE staging.dossier_rows SET dossier_key = id_key(dossier_id) WHERE dossier_key IS DISTINCT FROM id_key(dossier_id)
