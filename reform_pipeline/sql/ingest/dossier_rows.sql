-- Validate dossier exports (docs/spec §2.1), reading the view `landing` over one group of files that
-- share their columns. Each row gets the first rule it breaks, in docs/spec order.
-- Every row read is written once, to staging.dossier_rows, with its typed values, its reason
-- (NULL: valid) and, for a rejected row, its raw values; the quarantine rows are then taken from
-- there: one write instead of a working table and three inserts is faster
-- (docs/decisions/0003-ingest-one-scan-one-write.md).
--   intrinsic_reason: a rule of the row itself is broken (missing value, bad timestamp, code or
--     number, malformed row); such a row never becomes valid.
--   reason: intrinsic_reason, else unknown_agency / unknown_procedure / inconsistent_dates. The
--     latter depend on the unit tree and catalogue: a later fix of those revives the row
--     (ingest/dossier_recheck.sql).
-- A timestamp, code, flag or whole number stored typed (typed_<name>, Parquet) is taken as it is
-- and has no raw text (raw_<name> is NULL): it counts as given when its typed value is there, it
-- is checked against the same code lists and ranges as text (macros.sql, typed_*), and only a
-- rejected row turns it into text, for the quarantine. Text is parsed.
-- Parameters: $raw_headers: the file's header of each canonical column, in canonical order (NULL
-- where the file lacks the column); $extra_headers: its other headers (extra_values);
-- $batch_seq: this batch's number (meta.dossier_batches), stored on every row it writes;
-- $run_day: the day the run starts, in Vietnam: an event timestamp dated after it is
-- bad_timestamp (docs/spec §2.1; macros.sql, event_ts).
INSERT INTO staging.dossier_rows BY NAME
WITH cleaned AS (
    -- every cell trimmed once, NULL when empty; codes and identifiers also NFC; personal data
    -- only NULL when empty. The raw_ columns ride along untouched for the quarantine's raw values.
    SELECT
        *,
        key_cell(raw_dossier_id) AS dossier_id, key_cell(raw_procedure_code) AS procedure_code,
        key_cell(raw_agency_code) AS agency_code, cell(raw_channel) AS channel,
        cell(raw_service_level) AS service_level, cell(raw_status) AS status,
        cell(raw_submitted_at) AS submitted_at, cell(raw_received_at) AS received_at,
        cell(raw_due_at) AS due_at, cell(raw_finished_at) AS finished_at,
        cell(raw_returned_at) AS returned_at,
        cell(raw_supplement_requested_at) AS supplement_requested_at,
        cell(raw_supplement_received_at) AS supplement_received_at,
        cell(raw_supplement_count) AS supplement_count, cell(raw_fee_amount) AS fee_amount,
        cell(raw_paid_online) AS paid_online, cell(raw_digitized_components) AS digitized_components,
        cell(raw_result_attached) AS result_attached, cell(raw_rating) AS rating,
        cell(raw_complaint) AS complaint, cell(raw_updated_at) AS updated_at,
        -- personal data is neither validated nor published: stored as exported, an empty cell as
        -- NULL, not trimmed (trimming the four long text columns cost ten times their nullif:
        -- docs/decisions/0004-validation-expressions.md)
        nullif(raw_applicant_name, '') AS applicant_name,
        nullif(raw_applicant_id_number, '') AS applicant_id_number,
        nullif(raw_applicant_phone, '') AS applicant_phone,
        nullif(raw_applicant_address, '') AS applicant_address
    FROM landing
),
parsed AS (
    SELECT
        *,
        CASE WHEN typed_channel IS NULL THEN channel_code(channel)
             ELSE typed_code(typed_channel, 1, 3) END AS channel_value,
        CASE WHEN typed_service_level IS NULL THEN service_level_code(service_level)
             ELSE typed_code(typed_service_level, 2, 4) END AS service_level_value,
        CASE WHEN typed_status IS NULL THEN status_code(status)
             ELSE typed_code(typed_status, 1, 10) END AS status_value,
        CASE WHEN typed_paid_online IS NULL THEN paid_online_code(paid_online)
             ELSE typed_code(typed_paid_online, 0, 2) END AS paid_online_value,
        CASE WHEN typed_rating IS NULL THEN rating_code(rating)
             ELSE typed_code(typed_rating, 1, 4) END AS rating_value,
        CASE WHEN typed_digitized_components IS NULL THEN flag_value(digitized_components)
             ELSE typed_flag(typed_digitized_components) END AS digitized_value,
        CASE WHEN typed_complaint IS NULL THEN flag_value(complaint)
             ELSE typed_flag(typed_complaint) END AS complaint_value,
        CASE WHEN typed_result_attached IS NULL THEN attached_value(result_attached)
             ELSE typed_result_attached <> 0 END AS result_attached_value,
        CASE WHEN typed_supplement_count IS NULL THEN whole_number(supplement_count)
             ELSE typed_whole_number(typed_supplement_count) END AS supplement_count_value,
        CASE WHEN typed_fee_amount IS NULL THEN whole_number(fee_amount)
             ELSE typed_whole_number(typed_fee_amount) END AS fee_amount_value,
        given(channel, typed_channel) AS channel_given,
        given(service_level, typed_service_level) AS service_level_given,
        given(status, typed_status) AS status_given,
        given(paid_online, typed_paid_online) AS paid_online_given,
        given(rating, typed_rating) AS rating_given,
        given(digitized_components, typed_digitized_components) AS digitized_given,
        given(complaint, typed_complaint) AS complaint_given,
        given(supplement_count, typed_supplement_count) AS supplement_count_given,
        given(fee_amount, typed_fee_amount) AS fee_amount_given,
        coalesce(typed_submitted_at, parse_ts_text(submitted_at)) AS submitted_read,
        coalesce(typed_received_at, parse_ts_text(received_at)) AS received_read,
        coalesce(typed_due_at, parse_ts_text(due_at)) AS due_read,
        coalesce(typed_finished_at, parse_ts_text(finished_at)) AS finished_read,
        coalesce(typed_returned_at, parse_ts_text(returned_at)) AS returned_read,
        coalesce(typed_supplement_requested_at, parse_ts_text(supplement_requested_at)) AS supplement_requested_read,
        coalesce(typed_supplement_received_at, parse_ts_text(supplement_received_at)) AS supplement_received_read,
        coalesce(typed_updated_at, parse_ts_text(updated_at)) AS updated_read
    FROM cleaned
),
typed AS (
    SELECT
        *,
        event_ts(submitted_read, $run_day) AS submitted_ts,
        event_ts(received_read, $run_day) AS received_ts,
        -- the due date is the one timestamp that may lie ahead
        ts_in_range(due_read) AS due_ts,
        event_ts(finished_read, $run_day) AS finished_ts,
        event_ts(returned_read, $run_day) AS returned_ts,
        event_ts(supplement_requested_read, $run_day) AS supplement_requested_ts,
        event_ts(supplement_received_read, $run_day) AS supplement_received_ts,
        event_ts(updated_read, $run_day) AS updated_ts,
        given(submitted_at, submitted_read) AS submitted_given,
        given(received_at, received_read) AS received_given,
        given(due_at, due_read) AS due_given,
        given(finished_at, finished_read) AS finished_given,
        given(returned_at, returned_read) AS returned_given,
        given(supplement_requested_at, supplement_requested_read) AS supplement_requested_given,
        given(supplement_received_at, supplement_received_read) AS supplement_received_given,
        given(updated_at, updated_read) AS updated_given
    FROM parsed
),
intrinsic AS (
    SELECT
        *,
        CASE
            WHEN bad_encoding THEN 'bad_encoding'
            WHEN malformed THEN 'malformed_row'
            WHEN dossier_id IS NULL OR procedure_code IS NULL OR agency_code IS NULL OR NOT status_given
                THEN 'missing_required'
            -- requirements that depend on the status apply only when the status is readable
            WHEN status_value NOT IN (1, 3) AND NOT received_given THEN 'missing_required'
            WHEN status_value IN (8, 9) AND NOT finished_given THEN 'missing_required'
            WHEN status_value = 10 AND NOT finished_given AND NOT returned_given THEN 'missing_required'
            -- given but not read: no accepted form, a year outside 2000–2099, or an event
            -- dated after the run's day (event_ts)
            WHEN (submitted_given AND submitted_ts IS NULL)
                OR (received_given AND received_ts IS NULL)
                OR (due_given AND due_ts IS NULL)
                OR (finished_given AND finished_ts IS NULL)
                OR (returned_given AND returned_ts IS NULL)
                OR (supplement_requested_given AND supplement_requested_ts IS NULL)
                OR (supplement_received_given AND supplement_received_ts IS NULL)
                OR (updated_given AND updated_ts IS NULL) THEN 'bad_timestamp'
            WHEN (channel_given AND channel_value IS NULL)
                OR (service_level_given AND service_level_value IS NULL)
                OR status_value IS NULL
                OR (paid_online_given AND paid_online_value IS NULL)
                OR (rating_given AND rating_value IS NULL)
                OR (digitized_given AND digitized_value IS NULL)
                OR (complaint_given AND complaint_value IS NULL) THEN 'bad_code'
            WHEN (fee_amount_given AND fee_amount_value IS NULL)
                OR (supplement_count_given AND supplement_count_value IS NULL) THEN 'bad_number'
        END AS intrinsic_reason,
        -- compared on dates, not times: a same-day earlier time is not inconsistent (docs/spec §2.1)
        coalesce(CAST(due_ts AS DATE) < CAST(received_ts AS DATE), FALSE)
            OR coalesce(CAST(finished_ts AS DATE) < CAST(received_ts AS DATE), FALSE)
            OR coalesce(CAST(returned_ts AS DATE) < CAST(received_ts AS DATE), FALSE)
            OR coalesce(CAST(supplement_received_ts AS DATE) < CAST(supplement_requested_ts AS DATE), FALSE)
            AS dates_inconsistent
    FROM typed
),
reasoned AS (
    SELECT
        *,
        coalesce(intrinsic_reason, CASE
            WHEN agency_code NOT IN (SELECT agency_code FROM staging.agencies) THEN 'unknown_agency'
            WHEN procedure_code NOT IN (SELECT procedure_code FROM staging.procedures) THEN 'unknown_procedure'
            WHEN dates_inconsistent THEN 'inconsistent_dates'
        END) AS reason
    FROM intrinsic
)
-- What is stored: the typed row, its reasons, the personal data (never published), and raw
-- values for rejected rows.
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
    source_file, row_number,
    dates_inconsistent,
    reason,
    -- a JSON object keyed by the file's own headers, built for rejected rows only: the pairs of
    -- the canonical columns the file has ($raw_headers: the file's header of each canonical
    -- column, NULL when it lacks it), then its other columns. Written pair by pair: a list of the
    -- values turned into a map cost nearly three times as much per rejected row
    -- (docs/decisions/0004-validation-expressions.md).
    CASE WHEN reason IS NOT NULL THEN '{' || concat_ws(',',
        json_pair($raw_headers[1], raw_dossier_id),
        json_pair($raw_headers[2], raw_procedure_code),
        json_pair($raw_headers[3], raw_agency_code),
        json_pair($raw_headers[4], raw_number(raw_channel, typed_channel)),
        json_pair($raw_headers[5], raw_number(raw_service_level, typed_service_level)),
        json_pair($raw_headers[6], raw_number(raw_status, typed_status)),
        json_pair($raw_headers[7], raw_ts(raw_submitted_at, typed_submitted_at)),
        json_pair($raw_headers[8], raw_ts(raw_received_at, typed_received_at)),
        json_pair($raw_headers[9], raw_ts(raw_due_at, typed_due_at)),
        json_pair($raw_headers[10], raw_ts(raw_finished_at, typed_finished_at)),
        json_pair($raw_headers[11], raw_ts(raw_returned_at, typed_returned_at)),
        json_pair($raw_headers[12], raw_ts(raw_supplement_requested_at, typed_supplement_requested_at)),
        json_pair($raw_headers[13], raw_ts(raw_supplement_received_at, typed_supplement_received_at)),
        json_pair($raw_headers[14], raw_number(raw_supplement_count, typed_supplement_count)),
        json_pair($raw_headers[15], raw_number(raw_fee_amount, typed_fee_amount)),
        json_pair($raw_headers[16], raw_number(raw_paid_online, typed_paid_online)),
        json_pair($raw_headers[17], raw_number(raw_digitized_components, typed_digitized_components)),
        json_pair($raw_headers[18], raw_number(raw_result_attached, typed_result_attached)),
        json_pair($raw_headers[19], raw_number(raw_rating, typed_rating)),
        json_pair($raw_headers[20], raw_number(raw_complaint, typed_complaint)),
        json_pair($raw_headers[21], raw_ts(raw_updated_at, typed_updated_at)),
        json_pair($raw_headers[22], raw_applicant_name),
        json_pair($raw_headers[23], raw_applicant_id_number),
        json_pair($raw_headers[24], raw_applicant_phone),
        json_pair($raw_headers[25], raw_applicant_address),
        CASE WHEN len($extra_headers) > 0 THEN array_to_string(list_transform(
            list_zip($extra_headers, extra_values), lambda pair: json_pair(pair[1], pair[2])), ',') END
    ) || '}' END AS raw_values,
    intrinsic_reason,
    applicant_name, applicant_id_number, applicant_phone, applicant_address,
    id_key(dossier_id) AS dossier_key,
    $batch_seq AS batch_seq
FROM reasoned;

INSERT INTO meta.quarantine (kind, source_file, row_number, reason, raw_values)
SELECT 'dossiers', source_file, row_number, reason, raw_values
FROM staging.dossier_rows
WHERE batch_seq = $batch_seq AND reason IS NOT NULL;
