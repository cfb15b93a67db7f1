-- The unit table of the scorecard page and of its downloads (units.csv, the workbook's units
-- sheet; docs/spec §5, "The scorecard page"): one row per unit of today's tree (alive at the
-- as-of date, model.units.alive; docs/spec §4.7), in tree order: depth, then the parent's name,
-- then the unit's name (Vietnamese alphabetical order).
--
-- Beside each unit, over the year of $as_of to the as-of date (the `year` row whose period
-- contains $as_of):
--   - its key metrics on today's tree (model.unit_metrics_current: the history of the units that
--     ended restated on the units that took them over, docs/spec §4.4, §4.7); NULL where the
--     metric has no value (a rate whose denominator is 0);
--   - its 766 total (score.index_766, indicator `total`): the score out of 100, the points earned
--     and the covered maximum they are out of (docs/spec §4.5). The index follows the tree as it
--     was: for a unit of today's tree that is its own history, the dossiers it received itself and
--     below it, not those of the units it took over. NULL when the unit has no index row for the
--     year; score_100 NULL when nothing is covered.
-- $as_of: the as-of date.
WITH
year_metrics AS (
    SELECT
        scope_code,
        any_value(period_start) AS period_start,
        any_value(period_end) AS period_end,
        any_value(numerator) FILTER (WHERE metric_code = 'dossiers_received') AS dossiers_received,
        any_value(value) FILTER (WHERE metric_code = 'online_rate') AS online_rate,
        any_value(value) FILTER (WHERE metric_code = 'full_online_rate') AS full_online_rate,
        any_value(value) FILTER (WHERE metric_code = 'online_payment_rate') AS online_payment_rate,
        any_value(value) FILTER (WHERE metric_code = 'on_time_rate') AS on_time_rate,
        any_value(value) FILTER (WHERE metric_code = 'satisfaction_rate') AS satisfaction_rate,
        any_value(value) FILTER (WHERE metric_code = 'processing_wd_avg') AS processing_wd_avg,
        any_value(value) FILTER (WHERE metric_code = 'processing_wd_median') AS processing_wd_median,
        any_value(value) FILTER (WHERE metric_code = 'processing_wd_p90') AS processing_wd_p90
    FROM model.unit_metrics_current
    WHERE period_type = 'year'
      AND CAST($as_of AS DATE) BETWEEN period_start AND period_end
    GROUP BY scope_code
),
index_totals AS (
    SELECT scope_code, score_100, points, max_points
    FROM score.index_766
    WHERE period_type = 'year' AND indicator_code = 'total'
      AND CAST($as_of AS DATE) BETWEEN period_start AND period_end
)
SELECT
    unit.agency_code,
    unit.agency_name,
    unit.kind,
    parent.agency_name AS parent_name,
    unit.depth,
    m.period_start,
    m.period_end,
    m.dossiers_received,
    m.online_rate,
    m.full_online_rate,
    m.online_payment_rate,
    m.on_time_rate,
    m.satisfaction_rate,
    m.processing_wd_avg,
    m.processing_wd_median,
    m.processing_wd_p90,
    i.score_100 AS index_766_score_100,
    i.points AS index_766_points,
    i.max_points AS index_766_max_points
FROM model.units AS unit
LEFT JOIN model.units AS parent ON parent.agency_code = unit.parent_code
LEFT JOIN year_metrics AS m ON m.scope_code = unit.agency_code
LEFT JOIN index_totals AS i ON i.scope_code = unit.agency_code
WHERE unit.alive
ORDER BY
    unit.depth,
    parent.agency_name COLLATE vi NULLS FIRST,
    parent.agency_code NULLS FIRST,
    unit.agency_name COLLATE vi,
    unit.agency_code
