-- The counts behind model.unit_metrics and model.unit_metrics_current (docs/spec §4.3 populations,
-- §4.4 metric codes), per receiving unit and period: model/unit_metrics.sql rolls them up, once
-- for the tree as it was and once for today's tree (docs/spec §4.7). The dossier rules are those
-- of model/fact_rules.sql (run first), evaluated at t = end_P.
--
-- Set-based and linear in the number of dossiers:
--   1. the period list, built once (model.metric_periods),
--   2. the accepted dossiers with what the metrics read, computed once,
--   3. handled(P) at t = end_P: a finished dossier is evaluated once (its facts stop changing
--      when its last event is in), plus once per period end it was open at (range joins on
--      the periods), counted per agency and period with the resolved dossiers kept as a
--      histogram of elapsed_wd, and received(P) counted per agency and month,
--   4. month counts summed into their month, quarter and year: model.unit_period_counts and
--      model.unit_period_elapsed, keyed by the receiving unit's model.units.unit_id.

-- 1. Periods: calendar months, quarters and years from the month of the earliest received date
--    of an accepted dossier to the as-of date, period_end cut at the as-of date. Units
--    (model.units) and periods get integer ids: the large aggregations below group on integers
--    only.
CREATE OR REPLACE TABLE model.metric_periods AS
WITH bounds AS (
    SELECT
        CAST(date_trunc('month', min(received_at)) AS DATE) AS first_month,
        CAST($as_of AS DATE) AS as_of
    FROM staging.dossiers
    WHERE status NOT IN (1, 3) AND received_at IS NOT NULL
),
months AS (
    SELECT
        CAST(unnest(generate_series(first_month, as_of, INTERVAL 1 MONTH)) AS DATE) AS month_start,
        as_of
    FROM bounds
    WHERE first_month <= as_of
),
periods AS (
    SELECT DISTINCT 'month' AS period_type, month_start AS period_start, INTERVAL 1 MONTH AS period_length, as_of
    FROM months
    UNION ALL
    SELECT DISTINCT 'quarter', CAST(date_trunc('quarter', month_start) AS DATE), INTERVAL 3 MONTH, as_of
    FROM months
    UNION ALL
    SELECT DISTINCT 'year', CAST(date_trunc('year', month_start) AS DATE), INTERVAL 1 YEAR, as_of
    FROM months
)
SELECT
    CAST(row_number() OVER (ORDER BY period_type, period_start) AS INTEGER) AS period_id,
    period_type,
    period_start,
    least(CAST(period_start + period_length - INTERVAL 1 DAY AS DATE), as_of) AS period_end
FROM periods;

-- Each month with the three periods that contain it (its month, quarter and year).
CREATE OR REPLACE TEMP TABLE model_metric_month_periods AS
SELECT months.period_start AS month_start, periods.period_id
FROM model.metric_periods AS months
JOIN model.metric_periods AS periods
    ON months.period_start BETWEEN periods.period_start AND periods.period_end
WHERE months.period_type = 'month';

-- 2. The accepted dossiers received by the as-of date, with the columns the metrics read,
--    computed once for every step below.
--    settles_in_finish_month: a finished dossier (not withdrawn) whose events all fall in the
--    month it finished, by the as-of date (by far the most). From its settled_date on its facts
--    do not change (model/fact_rules.sql), so they are the facts at the end of every period
--    that contains its finish date.
CREATE OR REPLACE TEMP TABLE model_metric_dossiers AS
SELECT
    units.unit_id,
    timeline.channel,
    timeline.service_level,
    timeline.status,
    timeline.fee_amount,
    timeline.paid_online,
    timeline.digitized_components,
    timeline.result_attached,
    timeline.rating,
    timeline.complaint,
    timeline.supplement_count,
    timeline.is_accepted,
    timeline.received_date,
    timeline.received_index,
    timeline.finished_date,
    timeline.returned_date,
    timeline.supplement_requested_date,
    timeline.supplement_requested_index,
    timeline.supplement_received_date,
    timeline.supplement_received_index,
    timeline.allowed_wd,
    timeline.settled_date,
    coalesce(timeline.finished_date, timeline.returned_date) AS finish_date,
    coalesce(
        timeline.status <> 7
        AND timeline.settled_date <= CAST($as_of AS DATE)
        AND date_trunc('month', timeline.settled_date)
            = date_trunc('month', coalesce(timeline.finished_date, timeline.returned_date))
        -- finished from its finish date on, not earlier (returned_at not before finished_at)
        AND NOT coalesce(timeline.returned_date < timeline.finished_date, false),
        false
    ) AS settles_in_finish_month
FROM model_dossier_timeline AS timeline
JOIN model.units AS units
    ON units.agency_code = timeline.agency_code
WHERE timeline.is_accepted AND timeline.received_date <= CAST($as_of AS DATE);

-- 3. handled(P): accepted, not withdrawn, received by end_P, and open at end_P or finished on or
--    after the period start, with facts at t = end_P. The (dossier, t) rows to evaluate:
--    a. a dossier that settles in its finish month, once, at t = its settled_date, counted under
--       its finish month (month_start) and placed in that month, quarter and year in step 4,
--    b. the same dossier at the end of every period that ends between its receipt and its
--       finish, where it was open: one range join on period_end,
--    c. any other dossier (still open, or with events after its finish month or after the as-of
--       date) at the end of every period that overlaps [received, last finish date] (a
--       superset: the facts at t = end_P decide exactly).
CREATE OR REPLACE TEMP VIEW model_handled_candidates AS
SELECT
    dossier.*,
    CAST(NULL AS INTEGER) AS period_id,
    CAST(date_trunc('month', dossier.finish_date) AS DATE) AS month_start,
    CAST(date_trunc('month', dossier.finish_date) AS DATE) AS period_start,
    dossier.settled_date AS t
FROM model_metric_dossiers AS dossier
WHERE dossier.settles_in_finish_month
UNION ALL
SELECT
    dossier.*,
    periods.period_id,
    CAST(NULL AS DATE) AS month_start,
    periods.period_start,
    periods.period_end AS t
FROM model_metric_dossiers AS dossier
JOIN model.metric_periods AS periods
    ON dossier.received_date <= periods.period_end
    AND periods.period_end < dossier.finish_date
WHERE dossier.settles_in_finish_month
    -- a period ends between receipt and finish only if they fall in different months
    AND date_trunc('month', dossier.received_date) < date_trunc('month', dossier.finish_date)
UNION ALL
SELECT
    dossier.*,
    periods.period_id,
    CAST(NULL AS DATE) AS month_start,
    periods.period_start,
    periods.period_end AS t
FROM model_metric_dossiers AS dossier
JOIN model.metric_periods AS periods
    ON dossier.received_date <= periods.period_end
    AND coalesce(greatest(dossier.finished_date, dossier.returned_date), CAST('infinity' AS DATE))
        >= periods.period_start
WHERE NOT dossier.settles_in_finish_month AND dossier.status <> 7;

CREATE OR REPLACE TEMP TABLE model_handled_facts AS
SELECT
    unit_id,
    period_id,
    month_start,
    outcome,
    status,
    rating,
    complaint,
    result_attached,
    -- resolved(P): finished (8, 9, 10) by end_P with a finished date within P
    coalesce(finished_date_at_t >= period_start, false) AS is_resolved,
    elapsed_wd
FROM model_dossier_facts_at('model_handled_candidates')
WHERE finished_date_at_t IS NULL OR finished_date_at_t >= period_start;

-- Counts per unit and period (period_id) or finish month (month_start), and received(P) per
-- unit and month of receipt (a dossier lies in one month, one quarter and one year).
CREATE OR REPLACE TEMP TABLE model_counts_by_unit_key AS
SELECT
    unit_id,
    period_id,
    month_start,
    count(*) AS handled,
    count(*) FILTER (WHERE outcome IN ('early', 'on_time', 'in_progress')) AS handled_on_time,
    count(*) FILTER (WHERE outcome = 'early') AS handled_early,
    count(*) FILTER (WHERE outcome IN ('late', 'overdue')) AS handled_late,
    count(*) FILTER (WHERE outcome = 'overdue') AS open_overdue,
    -- 766 satisfaction: none of rating 1 (không hài lòng), complaint, late or overdue
    count(*) FILTER (
        WHERE NOT (coalesce(rating = 1, false) OR coalesce(complaint, false)
                   OR coalesce(outcome IN ('late', 'overdue'), false))
    ) AS handled_satisfied,
    count(*) FILTER (WHERE is_resolved) AS resolved,
    count(*) FILTER (WHERE is_resolved AND status IN (9, 10)) AS resolved_with_result,
    count(*) FILTER (WHERE is_resolved AND status IN (9, 10) AND result_attached) AS resolved_e_result,
    count(*) FILTER (WHERE is_resolved AND rating IS NOT NULL) AS resolved_rated,
    count(*) FILTER (WHERE is_resolved AND rating IN (3, 4)) AS resolved_rated_satisfied,
    sum(elapsed_wd) FILTER (WHERE is_resolved) AS resolved_elapsed_wd_total
FROM model_handled_facts
GROUP BY unit_id, period_id, month_start
UNION ALL BY NAME
-- received(P): accepted dossiers received in P, withdrawn ones included
SELECT
    unit_id,
    CAST(NULL AS INTEGER) AS period_id,
    CAST(date_trunc('month', received_date) AS DATE) AS month_start,
    count(*) AS received,
    count(*) FILTER (WHERE channel = 2) AS received_online,  -- trực tuyến
    count(*) FILTER (WHERE channel = 2 AND service_level = 4) AS received_full_online,  -- toàn trình
    count(*) FILTER (WHERE fee_amount > 0) AS received_with_fee,
    count(*) FILTER (WHERE fee_amount > 0 AND paid_online IN (1, 2)) AS received_paid_online,
    count(*) FILTER (WHERE digitized_components) AS received_digitized
FROM model_metric_dossiers
GROUP BY unit_id, CAST(date_trunc('month', received_date) AS DATE);

-- The histogram of elapsed_wd over the resolved dossiers, per unit and period or finish month.
CREATE OR REPLACE TEMP TABLE model_elapsed_histogram_by_unit_key AS
SELECT unit_id, period_id, month_start, elapsed_wd, count(*) AS dossiers
FROM model_handled_facts
WHERE is_resolved
GROUP BY unit_id, period_id, month_start, elapsed_wd;

-- 4. Month counts into the month, quarter and year that contain them (the periods run from the
--    first month with a received dossier to the as-of date, so they always exist).
CREATE OR REPLACE TABLE model.unit_period_counts AS
SELECT
    counts.unit_id,
    coalesce(counts.period_id, containing.period_id) AS period_id,
    -- every counter of step 3, each summed under its own name
    sum(COLUMNS(counts.* EXCLUDE (unit_id, period_id, month_start)))
FROM model_counts_by_unit_key AS counts
LEFT JOIN model_metric_month_periods AS containing
    ON containing.month_start = counts.month_start
GROUP BY counts.unit_id, coalesce(counts.period_id, containing.period_id);

CREATE OR REPLACE TABLE model.unit_period_elapsed AS
SELECT
    histogram.unit_id,
    coalesce(histogram.period_id, containing.period_id) AS period_id,
    histogram.elapsed_wd,
    sum(histogram.dossiers) AS dossiers
FROM model_elapsed_histogram_by_unit_key AS histogram
LEFT JOIN model_metric_month_periods AS containing
    ON containing.month_start = histogram.month_start
GROUP BY histogram.unit_id, coalesce(histogram.period_id, containing.period_id), histogram.elapsed_wd;

-- The working tables hold a row per dossier: free them for the stages that run next on this
-- connection.
DROP VIEW IF EXISTS model_handled_candidates;
DROP TABLE IF EXISTS model_handled_facts;
DROP TABLE IF EXISTS model_metric_dossiers;
DROP TABLE IF EXISTS model_counts_by_unit_key;
DROP TABLE IF EXISTS model_elapsed_histogram_by_unit_key;
