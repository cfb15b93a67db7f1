-- Brings a warehouse written by an earlier version of the pipeline to the current layout of
-- staging.dossier_rows. Run (in one transaction) only when staging.dossier_applicants exists:
-- that table held the personal data apart, and the quarantined rows were not stored.
ALTER TABLE staging.dossier_rows RENAME COLUMN ref_reason TO reason;
ALTER TABLE staging.dossier_rows ADD COLUMN intrinsic_reason VARCHAR;
ALTER TABLE staging.dossier_rows ADD COLUMN applicant_name VARCHAR;
ALTER TABLE staging.dossier_rows ADD COLUMN applicant_id_number VARCHAR;
ALTER TABLE staging.dossier_rows ADD COLUMN applicant_phone VARCHAR;
ALTER TABLE staging.dossier_rows ADD COLUMN applicant_address VARCHAR;

UPDATE staging.dossier_rows AS stored
SET applicant_name = person.applicant_name,
    applicant_id_number = person.applicant_id_number,
    applicant_phone = person.applicant_phone,
    applicant_address = person.applicant_address
FROM staging.dossier_applicants AS person
WHERE stored.source_file = person.source_file AND stored.row_number = person.row_number;

DROP TABLE staging.dossier_applicants;
