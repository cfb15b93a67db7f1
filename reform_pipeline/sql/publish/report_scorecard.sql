-- Every row of score.scorecard (docs/spec §4.6), for the page, the Markdown of the Dagster UI and
-- the terminal table: the latest year first, then by plan, scope and KPI. `tree` says which tree
-- the value comes from: 'current' (today's units, restated; docs/spec §4.7) for a scope unit alive
-- at the as-of date, 'as_was' for one that has ended; NULL for a national ranking's rank target,
-- whose publisher is `value_source` (docs/spec §2.7).
SELECT plan_id, scope_code, scope_name, year, kpi_code, comparator, target,
       value, numerator, denominator, status, as_of, source, tree, value_source
FROM score.scorecard
ORDER BY year DESC, plan_id, scope_code, kpi_code
