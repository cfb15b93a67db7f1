-- The latest valid version of every dossier (SPEC §2.1): ordered by updated_at (a missing one
-- before any value), then export file name, then row number; the last one stands.
-- Full rebuild: used on the first run, after a re-check, or when an export file was replaced.
CREATE OR REPLACE TABLE staging.dossiers AS
SELECT * EXCLUDE (dates_inconsistent, ref_reason, raw_values)
FROM staging.dossier_rows
WHERE ref_reason IS NULL
QUALIFY row_number() OVER (
    PARTITION BY dossier_id
    ORDER BY updated_at DESC NULLS LAST, source_file DESC, row_number DESC
) = 1;
