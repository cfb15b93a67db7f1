-- Every plan target (docs/spec §2.5) with its KPI measured on its scope unit over $year, the year
-- of the as-of date (NULLs when there is no such row), for the page's "units to improve". As in
-- score.scorecard (docs/spec §4.6): the `year` row of model.unit_metrics_current (today's units,
-- restated; §4.7) when the scope unit is alive at the as-of date, of model.unit_metrics (the tree
-- as it was) when it has ended; `tree` says which. Which plan year counts and which KPIs are
-- weakest is decided in publish/report_model.py (weakest); the order here is the one that rule
-- reads them in.
WITH
year_metrics AS (
    SELECT 'current' AS tree, scope_code, scope_name, metric_code, value, numerator, denominator
    FROM model.unit_metrics_current
    WHERE period_type = 'year' AND year(period_start) = $year
    UNION ALL
    SELECT 'as_was', scope_code, scope_name, metric_code, value, numerator, denominator
    FROM model.unit_metrics
    WHERE period_type = 'year' AND year(period_start) = $year
),
targets AS (
    SELECT t.*, CASE WHEN coalesce(u.alive, true) THEN 'current' ELSE 'as_was' END AS tree
    FROM staging.targets AS t
    LEFT JOIN model.units AS u ON u.agency_code = t.scope_code
)
SELECT t.plan_id, t.scope_code, t.year, t.kpi_code, t.comparator, t.target,
       m.value, m.numerator, m.denominator, m.scope_name, t.tree
FROM targets AS t
LEFT JOIN year_metrics AS m
  ON m.scope_code = t.scope_code AND m.metric_code = t.kpi_code AND m.tree = t.tree
ORDER BY t.year, t.plan_id, t.scope_code, t.kpi_code
