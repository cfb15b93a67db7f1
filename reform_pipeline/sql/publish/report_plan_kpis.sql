-- Every plan target (docs/spec §2.5) with its KPI measured on its scope unit over $year, the year
-- of the as-of date (the `year` row of model.unit_metrics; NULLs when there is none), for the
-- page's "units to improve". Which plan year counts and which KPIs are weakest is decided in
-- publish/report_model.py (weakest); the order here is the one that rule reads them in.
SELECT t.plan_id, t.scope_code, t.year, t.kpi_code, t.comparator, t.target,
       m.value, m.numerator, m.denominator, m.scope_name
FROM staging.targets AS t
LEFT JOIN model.unit_metrics AS m
  ON m.scope_code = t.scope_code AND m.metric_code = t.kpi_code
 AND m.period_type = 'year' AND year(m.period_start) = $year
ORDER BY t.year, t.plan_id, t.scope_code, t.kpi_code
