-- The units below one scope unit in today's tree (its whole subtree among the units alive at the
-- as-of date, itself excluded; docs/spec §2.3, §4.7) with their value of one metric over $year on
-- today's tree (model.unit_metrics_current: the history of ended units restated on the units that
-- took them over), for the page's "units to improve". A scope unit that has ended is not in
-- today's tree: no rows. Which units are shown, and in what order, is decided in
-- publish/report_model.py (worst_units).
-- $scope: the scope unit; $metric: the metric code; $year: the year of the as-of date.
SELECT m.scope_code, m.scope_name, unit.kind, m.value, m.numerator, m.denominator
FROM model.unit_metrics_current AS m
JOIN model.units AS unit ON unit.agency_code = m.scope_code AND unit.alive
JOIN staging.unit_closure AS c
  ON c.descendant_code = m.scope_code AND c.ancestor_code = $scope AND c.distance >= 1
JOIN model.units AS scope ON scope.agency_code = c.ancestor_code AND scope.alive
WHERE m.period_type = 'year' AND year(m.period_start) = $year AND m.metric_code = $metric
ORDER BY m.scope_code
