-- Validate one dossier export (SPEC §2.1) from the temporary view `landing`.
-- Each row gets the first rule it breaks, in SPEC order; valid rows go to staging.dossier_rows,
-- rows breaking a rule go to meta.quarantine with their raw values. Rows whose only fault is
-- an unknown agency or procedure, or inconsistent dates, are also kept in staging.dossier_rows
-- (with ref_reason set) so that a later fix of the catalogue or the unit tree revives them.
CREATE OR REPLACE TEMP TABLE dossier_parsed AS
WITH typed AS (
    SELECT
        row_number, malformed, raw_values,
        dossier_id AS dossier_id_text, procedure_code AS procedure_code_text,
        agency_code AS agency_code_text, status AS status_text,
        received_at AS received_text, finished_at AS finished_text, returned_at AS returned_text,
        cell(dossier_id) AS dossier_id,
        cell(procedure_code) AS procedure_code,
        cell(agency_code) AS agency_code,
        channel, service_level, status, paid_online, rating, digitized_components, complaint,
        supplement_count, fee_amount,
        submitted_at, received_at, due_at, finished_at, returned_at,
        supplement_requested_at, supplement_received_at, updated_at,
        channel_code(channel) AS channel_value,
        service_level_code(service_level) AS service_level_value,
        status_code(status) AS status_value,
        paid_online_code(paid_online) AS paid_online_value,
        rating_code(rating) AS rating_value,
        flag_value(digitized_components) AS digitized_value,
        flag_value(complaint) AS complaint_value,
        attached_value(result_attached) AS result_attached_value,
        whole_number(supplement_count) AS supplement_count_value,
        whole_number(fee_amount) AS fee_amount_value,
        parse_ts(submitted_at) AS submitted_ts,
        parse_ts(received_at) AS received_ts,
        parse_ts(due_at) AS due_ts,
        parse_ts(finished_at) AS finished_ts,
        parse_ts(returned_at) AS returned_ts,
        parse_ts(supplement_requested_at) AS supplement_requested_ts,
        parse_ts(supplement_received_at) AS supplement_received_ts,
        parse_ts(updated_at) AS updated_ts,
        cell(applicant_name) AS applicant_name,
        cell(applicant_id_number) AS applicant_id_number,
        cell(applicant_phone) AS applicant_phone,
        cell(applicant_address) AS applicant_address
    FROM landing
)
SELECT
    *,
    CASE
        WHEN malformed THEN 'malformed_row'
        WHEN is_blank(dossier_id_text) OR is_blank(procedure_code_text)
            OR is_blank(agency_code_text) OR is_blank(status_text) THEN 'missing_required'
        -- requirements that depend on the status apply only when the status is readable
        WHEN status_value NOT IN (1, 3) AND is_blank(received_text) THEN 'missing_required'
        WHEN status_value IN (8, 9) AND is_blank(finished_text) THEN 'missing_required'
        WHEN status_value = 10 AND is_blank(finished_text) AND is_blank(returned_text) THEN 'missing_required'
        WHEN (NOT is_blank(submitted_at) AND submitted_ts IS NULL)
            OR (NOT is_blank(received_at) AND received_ts IS NULL)
            OR (NOT is_blank(due_at) AND due_ts IS NULL)
            OR (NOT is_blank(finished_at) AND finished_ts IS NULL)
            OR (NOT is_blank(returned_at) AND returned_ts IS NULL)
            OR (NOT is_blank(supplement_requested_at) AND supplement_requested_ts IS NULL)
            OR (NOT is_blank(supplement_received_at) AND supplement_received_ts IS NULL)
            OR (NOT is_blank(updated_at) AND updated_ts IS NULL) THEN 'bad_timestamp'
        WHEN (NOT is_blank(channel) AND channel_value IS NULL)
            OR (NOT is_blank(service_level) AND service_level_value IS NULL)
            OR status_value IS NULL
            OR (NOT is_blank(paid_online) AND paid_online_value IS NULL)
            OR (NOT is_blank(rating) AND rating_value IS NULL)
            OR (NOT is_blank(digitized_components) AND digitized_value IS NULL)
            OR (NOT is_blank(complaint) AND complaint_value IS NULL) THEN 'bad_code'
        WHEN (NOT is_blank(fee_amount) AND fee_amount_value IS NULL)
            OR (NOT is_blank(supplement_count) AND supplement_count_value IS NULL) THEN 'bad_number'
    END AS intrinsic_reason,
    -- compared on dates, not times: a same-day earlier time is not inconsistent (SPEC §2.1)
    coalesce(CAST(due_ts AS DATE) < CAST(received_ts AS DATE), FALSE)
        OR coalesce(CAST(finished_ts AS DATE) < CAST(received_ts AS DATE), FALSE)
        OR coalesce(CAST(returned_ts AS DATE) < CAST(received_ts AS DATE), FALSE)
        OR coalesce(CAST(supplement_received_ts AS DATE) < CAST(supplement_requested_ts AS DATE), FALSE)
        AS dates_inconsistent
FROM typed;

CREATE OR REPLACE TEMP TABLE dossier_checked AS
SELECT
    *,
    coalesce(intrinsic_reason, CASE
        WHEN agency_code NOT IN (SELECT agency_code FROM staging.agencies) THEN 'unknown_agency'
        WHEN procedure_code NOT IN (SELECT procedure_code FROM staging.procedures) THEN 'unknown_procedure'
        WHEN dates_inconsistent THEN 'inconsistent_dates'
    END) AS reason,
    to_json(map_from_entries(list_zip($headers, raw_values))) AS raw_json
FROM dossier_parsed;

INSERT INTO meta.quarantine (kind, source_file, row_number, reason, raw_values)
SELECT 'dossiers', $source_file, row_number, reason, raw_json
FROM dossier_checked
WHERE reason IS NOT NULL;

INSERT INTO staging.dossier_rows
SELECT
    dossier_id, procedure_code, agency_code,
    coalesce(channel_value, 1) AS channel,                 -- empty → 1 (trực tiếp)
    coalesce(service_level_value, 2) AS service_level,     -- empty → 2
    status_value AS status,
    submitted_ts AS submitted_at, received_ts AS received_at, due_ts AS due_at,
    finished_ts AS finished_at, returned_ts AS returned_at,
    supplement_requested_ts AS supplement_requested_at,
    supplement_received_ts AS supplement_received_at,
    CAST(coalesce(supplement_count_value,
        CASE WHEN supplement_requested_ts IS NOT NULL THEN 1 ELSE 0 END) AS INTEGER) AS supplement_count,
    coalesce(fee_amount_value, 0) AS fee_amount,
    coalesce(paid_online_value, 0) AS paid_online,
    coalesce(digitized_value, FALSE) AS digitized_components,
    result_attached_value AS result_attached,
    rating_value AS rating,
    coalesce(complaint_value, FALSE) AS complaint,
    updated_ts AS updated_at,
    applicant_name, applicant_id_number, applicant_phone, applicant_address,
    $source_file AS source_file, row_number,
    dates_inconsistent,
    reason AS ref_reason,
    CASE WHEN reason IS NOT NULL THEN raw_json END AS raw_values
FROM dossier_checked
WHERE intrinsic_reason IS NULL;
