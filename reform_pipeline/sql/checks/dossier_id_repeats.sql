-- model.dossier_facts has one row per dossier (docs/spec §4.2, §5): dossier_id is its key. Lists
-- every dossier_id that is repeated or NULL, with how many fact rows carry it.
CREATE OR REPLACE TEMP TABLE check_dossier_id_repeats AS
SELECT dossier_id, count(*) AS fact_rows
FROM model.dossier_facts
GROUP BY dossier_id
HAVING count(*) > 1 OR dossier_id IS NULL;
