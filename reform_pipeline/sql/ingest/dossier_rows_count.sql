-- Every stored dossier row, valid or not: counted from the table's own statistics, where the
-- valid ones alone would be a pass over the history (docs/spec §2.1).
SELECT count(*) FROM staging.dossier_rows
