-- The dossier-level rules of docs/spec §4.2, evaluated at a cut-off date t, in one place.
--
-- model/dossier_facts.sql evaluates them at t = the as-of date, model/unit_metrics.sql at
-- t = the end of each period (docs/spec §4.3). Both run this file first. Everything here is
-- TEMP: it lives on the connection that runs the build and never reaches a published file.
--
--   wd_between(index_a, index_b)   wd(a, b) of docs/spec §4.1 from two model.calendar.wd_index values
--   model_dossier_timeline          what does not depend on t: dates, their wd_index, due date,
--                                  allowed working days, the date the facts settle (one row per
--                                  dossier of staging.dossiers)
--   model_dossier_facts_at(name)    the facts at t for the rows of the relation called name:
--                                  model_dossier_timeline columns plus a DATE column t

-- The outcomes of docs/spec §4.2 (an enum: the metrics compare them for millions of rows).
CREATE OR REPLACE TEMP TYPE model_outcome AS ENUM (
    'early', 'on_time', 'late', 'in_progress', 'overdue', 'not_accepted', 'withdrawn'
);

-- wd(a, b): working days d with a < d <= b, 0 when b <= a, NULL when a date is not in the calendar.
CREATE OR REPLACE TEMP MACRO wd_between(index_a, index_b) AS
    CASE WHEN index_b > index_a THEN index_b - index_a WHEN index_b <= index_a THEN 0 END;

CREATE OR REPLACE TEMP VIEW model_dossier_timeline AS
SELECT
    d.dossier_id,
    d.procedure_code,
    d.agency_code,
    d.channel,
    d.service_level,
    d.status,
    d.fee_amount,
    d.paid_online,
    d.digitized_components,
    d.result_attached,
    d.rating,
    d.complaint,
    d.supplement_count,
    -- hồ sơ được tiếp nhận: not registered-only (1) nor refused (3), with a receipt date
    d.status NOT IN (1, 3) AND d.received_at IS NOT NULL AS is_accepted,
    CAST(d.received_at AS DATE) AS received_date,
    received_day.wd_index AS received_index,
    -- only a stopped, processed or returned dossier (8, 9, 10) can be finished
    CASE WHEN d.status IN (8, 9, 10) THEN CAST(d.finished_at AS DATE) END AS finished_date,
    CASE WHEN d.status IN (8, 9, 10) THEN CAST(d.returned_at AS DATE) END AS returned_date,
    CAST(d.supplement_requested_at AS DATE) AS supplement_requested_date,
    requested_day.wd_index AS supplement_requested_index,
    CAST(d.supplement_received_at AS DATE) AS supplement_received_date,
    supplied_day.wd_index AS supplement_received_index,
    -- From settled_date on, every event of a finished dossier is known, so its facts at any
    -- t >= settled_date are the same (model/unit_metrics.sql evaluates such dossiers once).
    -- NULL for a dossier that is not finished: its elapsed time grows with t.
    CASE WHEN d.status IN (8, 9, 10) AND coalesce(d.finished_at, d.returned_at) IS NOT NULL THEN
        CAST(greatest(d.received_at, d.finished_at, d.returned_at,
                      d.supplement_requested_at, d.supplement_received_at) AS DATE)
    END AS settled_date,
    -- due_at is known at receipt and never cut; without it, the processing_days-th working day
    -- after the received date (the received date itself for 0)
    CASE
        WHEN d.due_at IS NOT NULL THEN CAST(d.due_at AS DATE)
        WHEN procedure.processing_days = 0 THEN CAST(d.received_at AS DATE)
        ELSE statutory_due_day.date
    END AS due_date,
    CASE
        WHEN d.due_at IS NOT NULL THEN wd_between(received_day.wd_index, due_day.wd_index)
        ELSE procedure.processing_days
    END AS allowed_wd
FROM staging.dossiers AS d
LEFT JOIN staging.procedures AS procedure
    ON procedure.procedure_code = d.procedure_code
LEFT JOIN model.calendar AS received_day
    ON received_day.date = CAST(d.received_at AS DATE)
LEFT JOIN model.calendar AS due_day
    ON due_day.date = CAST(d.due_at AS DATE)
LEFT JOIN model.calendar AS statutory_due_day
    ON statutory_due_day.is_working_day
    AND statutory_due_day.wd_index = received_day.wd_index + procedure.processing_days
LEFT JOIN model.calendar AS requested_day
    ON requested_day.date = CAST(d.supplement_requested_at AS DATE)
LEFT JOIN model.calendar AS supplied_day
    ON supplied_day.date = CAST(d.supplement_received_at AS DATE);

-- The facts at t. An event whose date is after t counts as not set (a dossier finished after t
-- was open at t, a supplement answered after t was pending at t) and so does a receipt after t:
-- such a dossier was not yet accepted at t.
CREATE OR REPLACE TEMP MACRO model_dossier_facts_at(dossiers_with_cutoff) AS TABLE
WITH events_at_t AS (
    SELECT
        c.*,
        coalesce(c.is_accepted AND c.received_date <= c.t, false) AS is_accepted_at_t,
        -- returned_at stands in where finished_at is empty (at t)
        CASE
            WHEN c.finished_date <= c.t THEN c.finished_date
            WHEN c.returned_date <= c.t THEN c.returned_date
        END AS finished_date_at_t,
        CASE WHEN c.supplement_requested_date <= c.t THEN c.supplement_requested_date END
            AS supplement_requested_at_t,
        CASE WHEN c.supplement_received_date <= c.t THEN c.supplement_received_date END
            AS supplement_received_at_t
    FROM query_table(dossiers_with_cutoff) AS c
),
clock AS (
    SELECT
        *,
        -- an unanswered supplement request stops the clock at the request, finished or not
        CASE
            WHEN supplement_requested_at_t IS NOT NULL AND supplement_received_at_t IS NULL
                THEN supplement_requested_at_t
            WHEN finished_date_at_t IS NOT NULL THEN finished_date_at_t
            ELSE t
        END AS clock_end_date,
        CASE
            WHEN supplement_requested_at_t IS NOT NULL AND supplement_received_at_t IS NOT NULL
                THEN wd_between(supplement_requested_index, supplement_received_index)
            ELSE 0
        END AS pause_wd
    FROM events_at_t
),
elapsed AS (
    SELECT
        clock.*,
        wd_between(clock.received_index, end_day.wd_index) - clock.pause_wd AS elapsed_before_floor
    FROM clock
    LEFT JOIN model.calendar AS end_day
        ON end_day.date = clock.clock_end_date
),
measured AS (
    SELECT
        *,
        CASE WHEN elapsed_before_floor < 0 THEN 0 ELSE elapsed_before_floor END AS elapsed_wd,
        is_accepted_at_t AND status <> 7 AS is_timed
    FROM elapsed
)
SELECT
    *,
    CASE
        WHEN NOT is_accepted_at_t THEN CAST('not_accepted' AS model_outcome)
        WHEN status = 7 THEN CAST('withdrawn' AS model_outcome)  -- rút hồ sơ
        WHEN finished_date_at_t IS NOT NULL THEN
            CASE
                -- the one-stop rules allow one supplement request
                WHEN supplement_count > 1 THEN CAST('late' AS model_outcome)
                WHEN elapsed_wd < allowed_wd THEN CAST('early' AS model_outcome)
                WHEN elapsed_wd = allowed_wd THEN CAST('on_time' AS model_outcome)
                WHEN elapsed_wd > allowed_wd THEN CAST('late' AS model_outcome)
            END
        ELSE
            CASE
                WHEN supplement_count > 1 THEN CAST('overdue' AS model_outcome)
                WHEN elapsed_wd <= allowed_wd THEN CAST('in_progress' AS model_outcome)
                WHEN elapsed_wd > allowed_wd THEN CAST('overdue' AS model_outcome)
            END
    END AS outcome
FROM measured;
