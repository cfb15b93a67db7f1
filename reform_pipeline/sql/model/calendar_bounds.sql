-- Bounds of the working-day calendar (docs/spec §4.1): the earliest and latest date of any timestamp
-- in staging.dossiers, and the longest statutory deadline (docs/spec §2.2 processing_days), from
-- which model/calendar.py derives the span with its margins.
SELECT
    CAST(least(
        min(submitted_at), min(received_at), min(due_at), min(finished_at), min(returned_at),
        min(supplement_requested_at), min(supplement_received_at), min(updated_at)
    ) AS DATE) AS first_data_date,
    CAST(greatest(
        max(submitted_at), max(received_at), max(due_at), max(finished_at), max(returned_at),
        max(supplement_requested_at), max(supplement_received_at), max(updated_at)
    ) AS DATE) AS last_data_date,
    (SELECT max(processing_days) FROM staging.procedures) AS max_processing_days
FROM staging.dossiers
