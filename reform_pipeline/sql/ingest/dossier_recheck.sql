-- Re-check every stored dossier row against the current unit tree and catalogue (docs/spec §2.1:
-- "exists" means among valid rows). Run when agencies or procedures changed since the rows
-- were ingested; a nightly run with unchanged reference data skips it. Rows that break a rule
-- of their own (intrinsic_reason) keep it.
UPDATE staging.dossier_rows SET reason = CASE
    WHEN agency_code NOT IN (SELECT agency_code FROM staging.agencies) THEN 'unknown_agency'
    WHEN procedure_code NOT IN (SELECT procedure_code FROM staging.procedures) THEN 'unknown_procedure'
    WHEN dates_inconsistent THEN 'inconsistent_dates'
END
WHERE intrinsic_reason IS NULL;

DELETE FROM meta.quarantine
WHERE kind = 'dossiers' AND reason IN ('unknown_agency', 'unknown_procedure', 'inconsistent_dates');

INSERT INTO meta.quarantine (kind, source_file, row_number, reason, raw_values)
SELECT
    'dossiers', source_file, row_number, reason,
    -- rows ingested as valid kept no raw text: their parsed values stand in for it
    coalesce(raw_values, to_json(struct_pack(
        dossier_id, procedure_code, agency_code, channel, service_level, status, submitted_at,
        received_at, due_at, finished_at, returned_at, supplement_requested_at,
        supplement_received_at, supplement_count, fee_amount, paid_online, digitized_components,
        result_attached, rating, complaint, updated_at, applicant_name, applicant_id_number,
        applicant_phone, applicant_address)))
FROM staging.dossier_rows
WHERE reason IS NOT NULL AND intrinsic_reason IS NULL;
