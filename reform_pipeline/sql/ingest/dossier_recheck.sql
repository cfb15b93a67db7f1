-- Re-check every stored dossier row against the current unit tree and catalogue (SPEC §2.1:
-- "exists" means among valid rows). Run when agencies or procedures changed since the rows
-- were ingested; a nightly run with unchanged reference data skips it.
UPDATE staging.dossier_rows SET ref_reason = CASE
    WHEN agency_code NOT IN (SELECT agency_code FROM staging.agencies) THEN 'unknown_agency'
    WHEN procedure_code NOT IN (SELECT procedure_code FROM staging.procedures) THEN 'unknown_procedure'
    WHEN dates_inconsistent THEN 'inconsistent_dates'
END;

DELETE FROM meta.quarantine
WHERE kind = 'dossiers' AND reason IN ('unknown_agency', 'unknown_procedure', 'inconsistent_dates');

INSERT INTO meta.quarantine (kind, source_file, row_number, reason, raw_values)
SELECT
    'dossiers', stored.source_file, stored.row_number, stored.ref_reason,
    -- rows ingested as valid kept no raw text: their parsed values stand in for it
    coalesce(stored.raw_values, to_json(struct_pack(
        stored.dossier_id, stored.procedure_code, stored.agency_code, stored.channel,
        stored.service_level, stored.status, stored.submitted_at, stored.received_at,
        stored.due_at, stored.finished_at, stored.returned_at, stored.supplement_requested_at,
        stored.supplement_received_at, stored.supplement_count, stored.fee_amount,
        stored.paid_online, stored.digitized_components, stored.result_attached, stored.rating,
        stored.complaint, stored.updated_at, person.applicant_name, person.applicant_id_number,
        person.applicant_phone, person.applicant_address)))
FROM staging.dossier_rows AS stored
LEFT JOIN staging.dossier_applicants AS person USING (source_file, row_number)
WHERE stored.ref_reason IS NOT NULL;
