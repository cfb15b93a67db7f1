-- model.dossier_facts: one row per dossier (its latest version), facts at t = the as-of date
-- (docs/spec §4.2, columns of docs/spec §5), with the receiving unit's current unit (§4.7). No
-- personal data. The rules are in model/fact_rules.sql, which the build runs first.
--
-- Every valid dossier is listed. Where §4.2 does not apply, outcome is not_accepted (status 1
-- or 3, no receipt date, or received after the as-of date: not yet accepted at t) or withdrawn
-- (status 7), and due_date, end_date, elapsed_wd, allowed_wd are NULL.
CREATE SCHEMA IF NOT EXISTS model;

CREATE OR REPLACE TEMP TABLE model_facts_cutoff AS
SELECT CAST($as_of AS DATE) AS t;

CREATE OR REPLACE TEMP VIEW model_dossiers_at_as_of AS
SELECT timeline.*, cutoff.t
FROM model_dossier_timeline AS timeline
CROSS JOIN model_facts_cutoff AS cutoff;

CREATE OR REPLACE TABLE model.dossier_facts AS
SELECT
    dossier_id,
    procedure_code,
    agency_code,
    -- the receiving unit's current unit at the as-of date (cur(u), docs/spec §4.7; model.units)
    (SELECT current_code FROM model.units WHERE model.units.agency_code = facts.agency_code) AS current_agency_code,
    channel,
    service_level,
    status,
    received_date,
    CASE WHEN is_timed THEN due_date END AS due_date,
    CASE WHEN is_timed THEN clock_end_date END AS end_date,
    fee_amount,
    paid_online,
    digitized_components,
    result_attached,
    rating,
    complaint,
    CASE WHEN is_timed THEN elapsed_wd END AS elapsed_wd,
    CASE WHEN is_timed THEN allowed_wd END AS allowed_wd,
    CAST(outcome AS VARCHAR) AS outcome
FROM model_dossier_facts_at('model_dossiers_at_as_of') AS facts;
