-- Stored dossier rows with an event dated after the run's day ($run_day), read as valid (or
-- rejected for an unknown unit or procedure only) before docs/spec §2.1 made such a value
-- bad_timestamp: they become bad_timestamp now, a reason of the row itself, and their quarantine
-- entry is written again. Run only when the latest valid date of the warehouse
-- (meta.ingest_state.latest_data_date) lies after the run's day, which rows validated under the
-- rule never reach (ingest/merge.py, quarantine_future_events); the merge that follows
-- rebuilds the latest versions and the latest date in full.
CREATE OR REPLACE TEMP TABLE future_event_rows AS
SELECT rowid AS future_rowid, source_file, row_number
FROM staging.dossier_rows
WHERE intrinsic_reason IS NULL
  AND (after_run_day(submitted_at, $run_day) OR after_run_day(received_at, $run_day)
       OR after_run_day(finished_at, $run_day) OR after_run_day(returned_at, $run_day)
       OR after_run_day(supplement_requested_at, $run_day)
       OR after_run_day(supplement_received_at, $run_day)
       OR after_run_day(updated_at, $run_day));

-- (source_file, row_number) names one dossier row: an export's rows are numbered once
DELETE FROM meta.quarantine AS held
USING future_event_rows AS future
WHERE held.kind = 'dossiers' AND held.source_file = future.source_file
  AND held.row_number = future.row_number;

UPDATE staging.dossier_rows SET
    reason = 'bad_timestamp',
    intrinsic_reason = 'bad_timestamp',
    -- rows read as valid kept no raw text: their parsed values stand in for it (as in
    -- ingest/dossier_recheck.sql)
    raw_values = coalesce(raw_values, to_json(struct_pack(
        dossier_id, procedure_code, agency_code, channel, service_level, status, submitted_at,
        received_at, due_at, finished_at, returned_at, supplement_requested_at,
        supplement_received_at, supplement_count, fee_amount, paid_online, digitized_components,
        result_attached, rating, complaint, updated_at, applicant_name, applicant_id_number,
        applicant_phone, applicant_address)))
WHERE rowid IN (SELECT future_rowid FROM future_event_rows);

INSERT INTO meta.quarantine (kind, source_file, row_number, reason, raw_values)
SELECT 'dossiers', source_file, row_number, reason, raw_values
FROM staging.dossier_rows
WHERE rowid IN (SELECT future_rowid FROM future_event_rows);
