-- model.unit_metrics: every unit × period × metric code (docs/spec §4.3 populations, §4.4 metric codes,
-- columns of docs/spec §5). Dense: a unit or period without dossiers still has every metric row.
-- The dossier rules are those of model/fact_rules.sql (run first), evaluated at t = end_P.
--
-- Set-based and linear in the number of dossiers:
--   1. the period list, built once,
--   2. the accepted dossiers with what the metrics read, computed once,
--   3. handled(P) at t = end_P: a finished dossier is evaluated once (its facts stop changing
--      when its last event is in), plus once per period end it was open at (range joins on
--      the periods), counted per agency and period with the resolved dossiers kept as a
--      histogram of elapsed_wd, and received(P) counted per agency and month,
--   4. month counts summed into their month, quarter and year,
--   5. roll-up of the agency counts and histograms through staging.unit_closure: a unit covers
--      its subtree (docs/spec §2.3) without ever pairing a dossier with its ancestors,
--   6. median and p90 from the cumulative histogram, with quantile_cont's linear interpolation,
--   7. the catalogue metrics from staging.procedures by owning unit,
--   8. one row per metric code,
--   9. the codes of step 8 compared with the metric catalogue (meta.metric_catalogue).
--
-- Adding a metric: one row in reform_pipeline/catalogue/metrics.csv and its expression in step 8
-- (docs/metrics.md); step 9 stops the run when the two disagree.

-- 1. Periods: calendar months, quarters and years from the month of the earliest received date
--    of an accepted dossier to the as-of date, period_end cut at the as-of date. Units and
--    periods get integer ids: the large aggregations below group on integers only.
CREATE OR REPLACE TEMP TABLE model_metric_periods AS
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
FROM model_metric_periods AS months
JOIN model_metric_periods AS periods
    ON months.period_start BETWEEN periods.period_start AND periods.period_end
WHERE months.period_type = 'month';

CREATE OR REPLACE TEMP TABLE model_metric_units AS
SELECT
    CAST(row_number() OVER (ORDER BY agency_code) AS INTEGER) AS unit_id,
    agency_code,
    agency_name
FROM staging.agencies;

CREATE OR REPLACE TEMP TABLE model_metric_unit_closure AS
SELECT ancestor.unit_id AS ancestor_id, descendant.unit_id AS descendant_id
FROM staging.unit_closure AS closure
JOIN model_metric_units AS ancestor ON ancestor.agency_code = closure.ancestor_code
JOIN model_metric_units AS descendant ON descendant.agency_code = closure.descendant_code;

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
JOIN model_metric_units AS units
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
JOIN model_metric_periods AS periods
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
JOIN model_metric_periods AS periods
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
CREATE OR REPLACE TEMP TABLE model_counts_by_unit AS
SELECT
    counts.unit_id,
    coalesce(counts.period_id, containing.period_id) AS period_id,
    -- every counter of step 3, each summed under its own name
    sum(COLUMNS(counts.* EXCLUDE (unit_id, period_id, month_start)))
FROM model_counts_by_unit_key AS counts
LEFT JOIN model_metric_month_periods AS containing
    ON containing.month_start = counts.month_start
GROUP BY counts.unit_id, coalesce(counts.period_id, containing.period_id);

CREATE OR REPLACE TEMP TABLE model_elapsed_histogram_by_unit AS
SELECT
    histogram.unit_id,
    coalesce(histogram.period_id, containing.period_id) AS period_id,
    histogram.elapsed_wd,
    sum(histogram.dossiers) AS dossiers
FROM model_elapsed_histogram_by_unit_key AS histogram
LEFT JOIN model_metric_month_periods AS containing
    ON containing.month_start = histogram.month_start
GROUP BY histogram.unit_id, coalesce(histogram.period_id, containing.period_id), histogram.elapsed_wd;

-- 5. Roll-up through the closure: a unit's counts are the sums over its subtree.
CREATE OR REPLACE TEMP TABLE model_counts_by_scope AS
SELECT
    closure.ancestor_id AS scope_id,
    by_unit.period_id,
    sum(COLUMNS(by_unit.* EXCLUDE (unit_id, period_id)))
FROM model_counts_by_unit AS by_unit
JOIN model_metric_unit_closure AS closure
    ON closure.descendant_id = by_unit.unit_id
GROUP BY closure.ancestor_id, by_unit.period_id;

-- 6. Median and p90 of elapsed_wd over resolved(P) of the subtree, from the rolled-up histogram.
--    As quantile_cont: position h = (n - 1) × q over the sorted values x_0 … x_(n-1), value
--    x_floor(h) + (x_ceil(h) - x_floor(h)) × (h - floor(h)). x_k is the largest elapsed_wd with
--    at most k dossiers before it.
CREATE OR REPLACE TEMP TABLE model_processing_quantiles_by_scope AS
WITH histogram AS (
    SELECT
        closure.ancestor_id AS scope_id,
        by_unit.period_id,
        by_unit.elapsed_wd,
        sum(by_unit.dossiers) AS dossiers
    FROM model_elapsed_histogram_by_unit AS by_unit
    JOIN model_metric_unit_closure AS closure
        ON closure.descendant_id = by_unit.unit_id
    GROUP BY closure.ancestor_id, by_unit.period_id, by_unit.elapsed_wd
),
cumulative AS (
    SELECT
        scope_id,
        period_id,
        elapsed_wd,
        sum(dossiers) OVER (
            PARTITION BY scope_id, period_id
            ORDER BY elapsed_wd ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) - dossiers AS dossiers_before,
        CAST(sum(dossiers) OVER (PARTITION BY scope_id, period_id) - 1 AS DOUBLE) AS last_position
    FROM histogram
),
positions AS (
    SELECT
        *,
        last_position * CAST(0.5 AS DOUBLE) AS median_position,
        last_position * CAST(0.9 AS DOUBLE) AS p90_position
    FROM cumulative
),
bracketed AS (
    SELECT
        scope_id,
        period_id,
        any_value(median_position) AS median_position,
        any_value(p90_position) AS p90_position,
        max(elapsed_wd) FILTER (WHERE dossiers_before <= floor(median_position)) AS median_low,
        max(elapsed_wd) FILTER (WHERE dossiers_before <= ceil(median_position)) AS median_high,
        max(elapsed_wd) FILTER (WHERE dossiers_before <= floor(p90_position)) AS p90_low,
        max(elapsed_wd) FILTER (WHERE dossiers_before <= ceil(p90_position)) AS p90_high
    FROM positions
    GROUP BY scope_id, period_id
)
SELECT
    scope_id,
    period_id,
    CASE
        WHEN floor(median_position) = ceil(median_position) THEN CAST(median_low AS DOUBLE)
        ELSE median_low + (median_high - median_low) * (median_position - floor(median_position))
    END AS processing_wd_median,
    CASE
        WHEN floor(p90_position) = ceil(p90_position) THEN CAST(p90_low AS DOUBLE)
        ELSE p90_low + (p90_high - p90_low) * (p90_position - floor(p90_position))
    END AS processing_wd_p90
FROM bracketed;

-- 7. Catalogue metrics (danh mục TTHC) by the unit that owns the procedure; the root covers every
--    procedure, those without an owning unit included. The catalogue has no history, so the
--    values are the same for every period.
CREATE OR REPLACE TEMP TABLE model_catalogue_by_scope AS
WITH owned AS (
    SELECT
        coalesce(
            procedure.agency_code,
            (SELECT agency_code FROM staging.agencies WHERE parent_code IS NULL)
        ) AS owner_code,
        procedure.full_online_eligible,
        procedure.service_level,
        -- information cut: only procedures with a baseline, and a current count to compare
        CASE WHEN procedure.declared_fields_baseline > 0 AND procedure.declared_fields IS NOT NULL
            THEN procedure.declared_fields_baseline END AS baseline_fields,
        CASE WHEN procedure.declared_fields_baseline > 0 AND procedure.declared_fields IS NOT NULL
            THEN procedure.declared_fields END AS declared_fields
    FROM staging.procedures AS procedure
)
SELECT
    closure.ancestor_code AS scope_code,
    count(*) FILTER (WHERE owned.full_online_eligible) AS eligible_procedures,
    count(*) FILTER (WHERE owned.full_online_eligible AND owned.service_level = 4)
        AS eligible_procedures_full_online,
    coalesce(sum(owned.baseline_fields), 0) AS baseline_fields,
    coalesce(sum(owned.declared_fields), 0) AS declared_fields
FROM owned
JOIN staging.unit_closure AS closure
    ON closure.descendant_code = owned.owner_code
GROUP BY closure.ancestor_code;

-- 8. Dense output: every unit × period × metric code. Counts are 0 when empty, never NULL; a
--    rate whose denominator is 0 is NULL.
CREATE OR REPLACE TEMP MACRO model_rate(numerator, denominator) AS
    CASE WHEN denominator <> 0 THEN CAST(numerator AS DOUBLE) / denominator END;

CREATE OR REPLACE TABLE model.unit_metrics AS
WITH measures AS (
    SELECT
        units.agency_code AS scope_code,
        units.agency_name AS scope_name,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        CAST(coalesce(counts.received, 0) AS BIGINT) AS received,
        CAST(coalesce(counts.received_online, 0) AS BIGINT) AS received_online,
        CAST(coalesce(counts.received_full_online, 0) AS BIGINT) AS received_full_online,
        CAST(coalesce(counts.received_with_fee, 0) AS BIGINT) AS received_with_fee,
        CAST(coalesce(counts.received_paid_online, 0) AS BIGINT) AS received_paid_online,
        CAST(coalesce(counts.received_digitized, 0) AS BIGINT) AS received_digitized,
        CAST(coalesce(counts.handled, 0) AS BIGINT) AS handled,
        CAST(coalesce(counts.handled_on_time, 0) AS BIGINT) AS handled_on_time,
        CAST(coalesce(counts.handled_early, 0) AS BIGINT) AS handled_early,
        CAST(coalesce(counts.handled_late, 0) AS BIGINT) AS handled_late,
        CAST(coalesce(counts.open_overdue, 0) AS BIGINT) AS open_overdue,
        CAST(coalesce(counts.handled_satisfied, 0) AS BIGINT) AS handled_satisfied,
        CAST(coalesce(counts.resolved, 0) AS BIGINT) AS resolved,
        CAST(coalesce(counts.resolved_with_result, 0) AS BIGINT) AS resolved_with_result,
        CAST(coalesce(counts.resolved_e_result, 0) AS BIGINT) AS resolved_e_result,
        CAST(coalesce(counts.resolved_rated, 0) AS BIGINT) AS resolved_rated,
        CAST(coalesce(counts.resolved_rated_satisfied, 0) AS BIGINT) AS resolved_rated_satisfied,
        model_rate(counts.resolved_elapsed_wd_total, counts.resolved) AS processing_wd_avg,
        quantiles.processing_wd_median,
        quantiles.processing_wd_p90,
        CAST(coalesce(catalogue.eligible_procedures, 0) AS BIGINT) AS eligible_procedures,
        CAST(coalesce(catalogue.eligible_procedures_full_online, 0) AS BIGINT)
            AS eligible_procedures_full_online,
        CAST(coalesce(catalogue.baseline_fields, 0) AS BIGINT) AS baseline_fields,
        CAST(coalesce(catalogue.baseline_fields, 0) - coalesce(catalogue.declared_fields, 0) AS BIGINT)
            AS removed_fields
    FROM model_metric_units AS units
    CROSS JOIN model_metric_periods AS periods
    LEFT JOIN model_counts_by_scope AS counts
        ON counts.scope_id = units.unit_id
        AND counts.period_id = periods.period_id
    LEFT JOIN model_processing_quantiles_by_scope AS quantiles
        ON quantiles.scope_id = units.unit_id
        AND quantiles.period_id = periods.period_id
    LEFT JOIN model_catalogue_by_scope AS catalogue
        ON catalogue.scope_code = units.agency_code
),
metrics AS (
    SELECT
        scope_code,
        scope_name,
        period_type,
        period_start,
        period_end,
        unnest([
            {'metric_code': 'dossiers_received', 'numerator': received, 'denominator': NULL,
             'value': CAST(received AS DOUBLE)},
            {'metric_code': 'online_rate', 'numerator': received_online, 'denominator': received,
             'value': model_rate(received_online, received)},
            {'metric_code': 'full_online_rate', 'numerator': received_full_online, 'denominator': received,
             'value': model_rate(received_full_online, received)},
            {'metric_code': 'online_payment_rate', 'numerator': received_paid_online,
             'denominator': received_with_fee, 'value': model_rate(received_paid_online, received_with_fee)},
            {'metric_code': 'digitized_intake_rate', 'numerator': received_digitized, 'denominator': received,
             'value': model_rate(received_digitized, received)},
            {'metric_code': 'on_time_rate', 'numerator': handled_on_time, 'denominator': handled,
             'value': model_rate(handled_on_time, handled)},
            {'metric_code': 'early_rate', 'numerator': handled_early, 'denominator': handled,
             'value': model_rate(handled_early, handled)},
            {'metric_code': 'late_rate', 'numerator': handled_late, 'denominator': handled,
             'value': model_rate(handled_late, handled)},
            {'metric_code': 'overdue_open', 'numerator': open_overdue, 'denominator': NULL,
             'value': CAST(open_overdue AS DOUBLE)},
            {'metric_code': 'processing_wd_avg', 'numerator': NULL, 'denominator': resolved,
             'value': processing_wd_avg},
            {'metric_code': 'processing_wd_median', 'numerator': NULL, 'denominator': resolved,
             'value': processing_wd_median},
            {'metric_code': 'processing_wd_p90', 'numerator': NULL, 'denominator': resolved,
             'value': processing_wd_p90},
            {'metric_code': 'e_result_rate', 'numerator': resolved_e_result, 'denominator': resolved_with_result,
             'value': model_rate(resolved_e_result, resolved_with_result)},
            {'metric_code': 'satisfaction_rate', 'numerator': handled_satisfied, 'denominator': handled,
             'value': model_rate(handled_satisfied, handled)},
            {'metric_code': 'rating_satisfied_share', 'numerator': resolved_rated_satisfied,
             'denominator': resolved_rated, 'value': model_rate(resolved_rated_satisfied, resolved_rated)},
            {'metric_code': 'full_online_procedure_rate', 'numerator': eligible_procedures_full_online,
             'denominator': eligible_procedures,
             'value': model_rate(eligible_procedures_full_online, eligible_procedures)},
            {'metric_code': 'declared_info_reduction', 'numerator': removed_fields,
             'denominator': baseline_fields, 'value': model_rate(removed_fields, baseline_fields)}
        ]) AS metric
    FROM measures
)
SELECT
    scope_code,
    scope_name,
    period_type,
    period_start,
    period_end,
    metric.metric_code AS metric_code,
    CAST(metric.numerator AS BIGINT) AS numerator,
    CAST(metric.denominator AS BIGINT) AS denominator,
    CAST(metric.value AS DOUBLE) AS value
FROM metrics;

-- The working tables hold a row per dossier: free them for the stages that run next on this
-- connection.
DROP VIEW IF EXISTS model_handled_candidates;
DROP TABLE IF EXISTS model_handled_facts;
DROP TABLE IF EXISTS model_metric_dossiers;
DROP TABLE IF EXISTS model_counts_by_unit_key;
DROP TABLE IF EXISTS model_elapsed_histogram_by_unit_key;

-- 9. Exactly the catalogue's codes (docs/spec §4.4): a code computed in step 8 but missing from
--    the catalogue would be published without a label, kind or target validation, and a
--    catalogued code not computed would be missing from every unit and period. Either stops the
--    run here, naming the codes. With no accepted dossier there are no rows to compare.
WITH computed AS (
    SELECT DISTINCT metric_code FROM model.unit_metrics
),
problems AS (
    SELECT metric_code || ' (computed, not in the catalogue)' AS problem
    FROM computed
    WHERE metric_code NOT IN (SELECT metric_code FROM meta.metric_catalogue)
    UNION ALL
    SELECT metric_code || ' (in the catalogue, not computed)'
    FROM meta.metric_catalogue
    WHERE metric_code NOT IN (SELECT metric_code FROM computed)
      AND EXISTS (SELECT 1 FROM computed)
)
SELECT CASE
    WHEN count(*) > 0 THEN error(
        'model.unit_metrics and the metric catalogue (reform_pipeline/catalogue/metrics.csv) differ: '
        || string_agg(problem, ', ' ORDER BY problem))
END
FROM problems;
