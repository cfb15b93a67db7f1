-- The latest valid version of every dossier (SPEC §2.1): ordered by updated_at (a missing one
-- before any value), then export file name, then row number; the last one stands.
-- Full rebuild: used on the first run, after a re-check, or when an export file was replaced.
-- The newest key per dossier is found by a grouped max (cheaper than sorting every version in
-- a window), then its row is joined back; (source_file, row_number) identifies a row.
CREATE OR REPLACE TABLE staging.dossiers AS
WITH newest AS (
    SELECT
        dossier_id,
        max(struct_pack(
            updated := coalesce(updated_at, TIMESTAMP '-infinity'),
            file := source_file,
            row := row_number)) AS version
    FROM staging.dossier_rows
    WHERE ref_reason IS NULL
    GROUP BY dossier_id
)
SELECT version_row.* EXCLUDE (dates_inconsistent, ref_reason, raw_values)
FROM staging.dossier_rows AS version_row
JOIN newest
  ON version_row.dossier_id = newest.dossier_id
 AND version_row.source_file = newest.version.file
 AND version_row.row_number = newest.version.row;
