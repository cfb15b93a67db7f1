-- model.unit_metrics (the tree as it was) and model.unit_metrics_current (today's tree, docs/spec
-- §4.7): every unit × period × metric code (docs/spec §4.3 populations, §4.4 metric codes,
-- columns of docs/spec §5), from the counts per receiving unit of model/unit_counts.sql (run first).
-- Run once per tree, $tree = 'as_was' or 'current'; its last statement defines the rows as the temp
-- view model_unit_metrics_out, which model/build.py writes once, straight into the tree's table,
-- then compares with the metric catalogue (model/unit_metrics_codes.sql) before committing.
--
-- The two trees differ only in which receiving units a scope covers (model.unit_rollup, built by
-- model/units.sql) and in which units and periods get rows:
--   as_was:  every unit, for every period it was alive on at least one day of (dense over each
--            unit's life),
--   current: every unit alive at the as-of date, for every period.
--
--   5. roll-up of the unit counts and histograms through model.unit_rollup: a unit covers its
--      subtree (docs/spec §2.3) without ever pairing a dossier with its ancestors,
--   6. median and p90 from the cumulative histogram, with quantile_cont's linear interpolation,
--   7. the catalogue metrics from staging.procedures by owning unit, and the units alive at the
--      start of the period's year and at its end (internal_units_reduction),
--   8. one row per metric code, for the tree's units and periods,
--   9. (model/unit_metrics_codes.sql) the codes of step 8 compared with the metric catalogue
--      (meta.metric_catalogue).
--
-- Adding a metric: one row in reform_pipeline/catalogue/metrics.csv and its expression in step 8
-- (docs/metrics.md); step 9 stops the run when the two disagree.

CREATE OR REPLACE TEMP TABLE model_rollup AS
SELECT scope_id, unit_id FROM model.unit_rollup WHERE tree = $tree;

-- The units and periods that get rows.
CREATE OR REPLACE TEMP TABLE model_scope_periods AS
SELECT units.unit_id AS scope_id, periods.period_id
FROM model.units AS units
CROSS JOIN model.metric_periods AS periods
WHERE CASE
    WHEN $tree = 'current' THEN units.alive
    ELSE coalesce(units.valid_from <= periods.period_end, true)
        AND coalesce(units.valid_to >= periods.period_start, true)
END;

-- 5. Roll-up: a unit's counts are the sums over the receiving units it covers.
CREATE OR REPLACE TEMP TABLE model_counts_by_scope AS
SELECT
    closure.scope_id,
    by_unit.period_id,
    sum(COLUMNS(by_unit.* EXCLUDE (unit_id, period_id)))
FROM model.unit_period_counts AS by_unit
JOIN model_rollup AS closure
    ON closure.unit_id = by_unit.unit_id
GROUP BY closure.scope_id, by_unit.period_id;

-- 6. Median and p90 of elapsed_wd over resolved(P) of the subtree, from the rolled-up histogram.
--    As quantile_cont: position h = (n - 1) × q over the sorted values x_0 … x_(n-1), value
--    x_floor(h) + (x_ceil(h) - x_floor(h)) × (h - floor(h)). x_k is the largest elapsed_wd with
--    at most k dossiers before it.
CREATE OR REPLACE TEMP TABLE model_processing_quantiles_by_scope AS
WITH histogram AS (
    SELECT
        closure.scope_id,
        by_unit.period_id,
        by_unit.elapsed_wd,
        sum(by_unit.dossiers) AS dossiers
    FROM model.unit_period_elapsed AS by_unit
    JOIN model_rollup AS closure
        ON closure.unit_id = by_unit.unit_id
    GROUP BY closure.scope_id, by_unit.period_id, by_unit.elapsed_wd
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

-- 7. Catalogue metrics (danh mục TTHC) by the unit that owns the procedure, covered as a dossier
--    received by that unit would be; a procedure without an owning unit counts for the province
--    as it is now (the root without valid_to). The catalogue has no history, so the values are
--    the same for every period.
CREATE OR REPLACE TEMP TABLE model_catalogue_by_scope AS
WITH owned AS (
    SELECT
        owner.unit_id AS owner_id,
        procedure.full_online_eligible,
        procedure.service_level,
        -- information cut: only procedures with a baseline, and a current count to compare
        CASE WHEN procedure.declared_fields_baseline > 0 AND procedure.declared_fields IS NOT NULL
            THEN procedure.declared_fields_baseline END AS baseline_fields,
        CASE WHEN procedure.declared_fields_baseline > 0 AND procedure.declared_fields IS NOT NULL
            THEN procedure.declared_fields END AS declared_fields
    FROM staging.procedures AS procedure
    JOIN model.units AS owner
        ON owner.agency_code = coalesce(
            procedure.agency_code,
            (SELECT agency_code FROM staging.agencies WHERE parent_code IS NULL AND valid_to IS NULL))
)
SELECT
    closure.scope_id,
    count(*) FILTER (WHERE owned.full_online_eligible) AS eligible_procedures,
    count(*) FILTER (WHERE owned.full_online_eligible AND owned.service_level = 4)
        AS eligible_procedures_full_online,
    coalesce(sum(owned.baseline_fields), 0) AS baseline_fields,
    coalesce(sum(owned.declared_fields), 0) AS declared_fields
FROM owned
JOIN model_rollup AS closure
    ON closure.unit_id = owned.owner_id
GROUP BY closure.scope_id;

-- internal_units_reduction (giảm đầu mối, docs/spec §4.4): for a scope s, the units v of kind
-- other than province (a unit without a kind counts unless it is a root) whose current unit lies
-- in the subtree of cur(s) in today's tree, s itself excluded, alive on the first day of the
-- period's year and on end_P. Counted once per current unit and date, then per scope.
CREATE OR REPLACE TEMP TABLE model_internal_unit_members AS
SELECT closure.ancestor_code AS current_scope, unit.agency_code, unit.valid_from, unit.valid_to
FROM model.units AS unit
JOIN staging.unit_closure AS closure ON closure.descendant_code = unit.current_code
WHERE coalesce(unit.kind <> 'province', unit.parent_code IS NOT NULL);

CREATE OR REPLACE TEMP TABLE model_internal_units_by_scope AS
WITH dates AS (
    SELECT DISTINCT period_end AS day FROM model.metric_periods
    UNION
    SELECT DISTINCT make_date(year(period_start), 1, 1) FROM model.metric_periods
),
alive_by_current_scope AS (
    SELECT members.current_scope, dates.day, count(*) AS units
    FROM model_internal_unit_members AS members
    JOIN dates
        ON coalesce(members.valid_from <= dates.day, true) AND coalesce(members.valid_to >= dates.day, true)
    GROUP BY members.current_scope, dates.day
),
scope_days AS (
    SELECT
        scope_periods.scope_id,
        scope_periods.period_id,
        scope.current_code,
        coalesce(scope.kind <> 'province', scope.parent_code IS NOT NULL) AS scope_counts,
        scope.valid_from,
        scope.valid_to,
        make_date(year(periods.period_start), 1, 1) AS year_start,
        periods.period_end
    FROM model_scope_periods AS scope_periods
    JOIN model.units AS scope ON scope.unit_id = scope_periods.scope_id
    JOIN model.metric_periods AS periods ON periods.period_id = scope_periods.period_id
)
SELECT
    scope_days.scope_id,
    scope_days.period_id,
    coalesce(at_start.units, 0) - CAST(
        scope_days.scope_counts AND scope_days.current_code IS NOT NULL
        AND coalesce(scope_days.valid_from <= scope_days.year_start, true)
        AND coalesce(scope_days.valid_to >= scope_days.year_start, true) AS INTEGER) AS units_at_year_start,
    coalesce(at_end.units, 0) - CAST(
        scope_days.scope_counts AND scope_days.current_code IS NOT NULL
        AND coalesce(scope_days.valid_from <= scope_days.period_end, true)
        AND coalesce(scope_days.valid_to >= scope_days.period_end, true) AS INTEGER) AS units_at_period_end
FROM scope_days
LEFT JOIN alive_by_current_scope AS at_start
    ON at_start.current_scope = scope_days.current_code AND at_start.day = scope_days.year_start
LEFT JOIN alive_by_current_scope AS at_end
    ON at_end.current_scope = scope_days.current_code AND at_end.day = scope_days.period_end;

-- 8. Dense output: every unit × period × metric code of the tree (model_scope_periods). Counts are 0 when empty, never NULL; a
--    rate whose denominator is 0 is NULL. A view, not a table: the rows (3.5M at the national tree)
--    are written once, into model.unit_metrics or model.unit_metrics_current, instead of into a
--    temp table and then copied (docs/decisions/0013-unit-history-cost-and-the-targets.md).
CREATE OR REPLACE TEMP MACRO model_rate(numerator, denominator) AS
    CASE WHEN denominator <> 0 THEN CAST(numerator AS DOUBLE) / denominator END;

CREATE OR REPLACE TEMP VIEW model_unit_metrics_out AS
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
            AS removed_fields,
        CAST(coalesce(internal_units.units_at_year_start, 0) AS BIGINT) AS units_at_year_start,
        CAST(coalesce(internal_units.units_at_year_start, 0) - coalesce(internal_units.units_at_period_end, 0) AS BIGINT)
            AS units_removed
    FROM model_scope_periods AS scope_periods
    JOIN model.units AS units ON units.unit_id = scope_periods.scope_id
    JOIN model.metric_periods AS periods ON periods.period_id = scope_periods.period_id
    LEFT JOIN model_counts_by_scope AS counts
        ON counts.scope_id = units.unit_id
        AND counts.period_id = periods.period_id
    LEFT JOIN model_processing_quantiles_by_scope AS quantiles
        ON quantiles.scope_id = units.unit_id
        AND quantiles.period_id = periods.period_id
    LEFT JOIN model_catalogue_by_scope AS catalogue
        ON catalogue.scope_id = units.unit_id
    LEFT JOIN model_internal_units_by_scope AS internal_units
        ON internal_units.scope_id = units.unit_id
        AND internal_units.period_id = periods.period_id
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
             'denominator': baseline_fields, 'value': model_rate(removed_fields, baseline_fields)},
            {'metric_code': 'internal_units_reduction', 'numerator': units_removed,
             'denominator': units_at_year_start, 'value': model_rate(units_removed, units_at_year_start)}
        ]) AS metric
    FROM measures
),
metric_rows AS (
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
    FROM metrics
)
-- In two halves, by unit: the rows grow out of one row per unit and period (132,651 at the
-- national tree, two of DuckDB's row groups), which one thread alone would write; the two
-- branches of a UNION ALL are written by both cores (decisions/0014).
SELECT * FROM metric_rows WHERE hash(scope_code) % 2 = 0
UNION ALL
SELECT * FROM metric_rows WHERE hash(scope_code) % 2 = 1;
