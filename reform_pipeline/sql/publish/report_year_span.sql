-- One unit's metrics over one year on one tree, for the page's comparison with the same period
-- of the previous year (docs/spec §4.3, §4.4, §4.7): per metric code, the `year` row (its period
-- cut at the as-of date), the sums of numerators and denominators over the months 1 … $last_month
-- with how many of those month rows exist, and the row of month $last_month itself. What may be
-- compared with what is decided in publish/report_model.py (compare).
-- $scope: the unit; $tree: 'current' (model.unit_metrics_current, today's units, restated) or
-- 'as_was' (model.unit_metrics); $year; $last_month: 1–12.
WITH rows AS (
    SELECT metric_code, period_type, period_start, period_end, numerator, denominator, value
    FROM model.unit_metrics_current
    WHERE $tree = 'current' AND scope_code = $scope AND year(period_start) = $year
      AND period_type IN ('month', 'year')
    UNION ALL
    SELECT metric_code, period_type, period_start, period_end, numerator, denominator, value
    FROM model.unit_metrics
    WHERE $tree = 'as_was' AND scope_code = $scope AND year(period_start) = $year
      AND period_type IN ('month', 'year')
),
span AS (
    SELECT *, period_type = 'month' AND month(period_start) <= $last_month AS in_span
    FROM rows
)
SELECT
    metric_code,
    any_value(period_end) FILTER (WHERE period_type = 'year') AS year_end,
    any_value(value) FILTER (WHERE period_type = 'year') AS year_value,
    any_value(numerator) FILTER (WHERE period_type = 'year') AS year_numerator,
    any_value(denominator) FILTER (WHERE period_type = 'year') AS year_denominator,
    count(*) FILTER (WHERE period_type = 'month') AS months,
    count(*) FILTER (WHERE in_span) AS span_months,
    sum(numerator) FILTER (WHERE in_span) AS span_numerator,
    sum(denominator) FILTER (WHERE in_span) AS span_denominator,
    any_value(period_end) FILTER (WHERE in_span AND month(period_start) = $last_month) AS span_end,
    any_value(value) FILTER (WHERE in_span AND month(period_start) = $last_month) AS end_month_value,
    any_value(numerator) FILTER (WHERE in_span AND month(period_start) = $last_month) AS end_month_numerator,
    any_value(denominator) FILTER (WHERE in_span AND month(period_start) = $last_month) AS end_month_denominator
FROM span
GROUP BY metric_code
ORDER BY metric_code
