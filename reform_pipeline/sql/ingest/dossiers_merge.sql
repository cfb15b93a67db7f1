-- Nightly merge (SPEC §2.1 latest-version rule): only the dossiers in this run's new exports are
-- touched, so the cost follows the size of the new files, not of the history. The current row
-- of a dossier is already the latest of its older versions, so comparing it with the newest
-- new version is enough.
CREATE OR REPLACE TEMP TABLE dossier_candidates AS
SELECT * EXCLUDE (dates_inconsistent, reason, raw_values, intrinsic_reason, applicant_name,
                  applicant_id_number, applicant_phone, applicant_address)
FROM staging.dossier_rows
WHERE reason IS NULL AND source_file IN (SELECT file_name FROM ingest_batch)
QUALIFY row_number() OVER (
    PARTITION BY dossier_id
    ORDER BY updated_at DESC NULLS LAST, source_file DESC, row_number DESC
) = 1;

DELETE FROM staging.dossiers AS current
USING dossier_candidates AS candidate
WHERE current.dossier_id = candidate.dossier_id
  AND struct_pack(u := coalesce(candidate.updated_at, TIMESTAMP '-infinity'),
                  f := candidate.source_file, r := candidate.row_number)
    > struct_pack(u := coalesce(current.updated_at, TIMESTAMP '-infinity'),
                  f := current.source_file, r := current.row_number);

INSERT INTO staging.dossiers
SELECT candidate.*
FROM dossier_candidates AS candidate
ANTI JOIN staging.dossiers AS current ON current.dossier_id = candidate.dossier_id;
