-- The units below one scope unit (its whole subtree, itself excluded; docs/spec §2.3) with their
-- value of one metric over $year (docs/spec §4.4), for the page's "units to improve". Which of
-- them are shown, and in what order, is decided in publish/report_model.py (worst_units).
-- $scope: the scope unit; $metric: the metric code; $year: the year of the as-of date.
SELECT m.scope_code, m.scope_name, a.kind, m.value, m.numerator, m.denominator
FROM model.unit_metrics AS m
JOIN staging.unit_closure AS c
  ON c.descendant_code = m.scope_code AND c.ancestor_code = $scope AND c.distance >= 1
LEFT JOIN staging.agencies AS a ON a.agency_code = m.scope_code
WHERE m.period_type = 'year' AND year(m.period_start) = $year AND m.metric_code = $metric
ORDER BY m.scope_code
