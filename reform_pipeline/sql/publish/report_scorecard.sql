-- Every row of score.scorecard (docs/spec §4.6), for the page, the Markdown of the Dagster UI and
-- the terminal table: the latest year first, then by plan, scope and KPI.
SELECT plan_id, scope_code, scope_name, year, kpi_code, comparator, target,
       value, numerator, denominator, status, as_of, source
FROM score.scorecard
ORDER BY year DESC, plan_id, scope_code, kpi_code
