-- One scorecard KPI month by month over its year, for the page's trend chart (docs/spec §4.4,
-- §4.6): the month rows of the KPI's scope unit on the tree its scorecard row comes from, so that
-- the bars add up to the row's value: model.unit_metrics_current (today's units, with the history
-- of ended units restated on them; docs/spec §4.7) when $tree is 'current', model.unit_metrics
-- (the tree as it was) when it is 'as_was'.
-- $scope: the scope unit; $metric: the KPI's metric code; $year: the target's year; $tree.
SELECT CAST(month(period_start) AS INTEGER) AS month, value, numerator, denominator
FROM model.unit_metrics_current
WHERE $tree = 'current'
  AND scope_code = $scope AND metric_code = $metric AND period_type = 'month' AND year(period_start) = $year
UNION ALL
SELECT CAST(month(period_start) AS INTEGER), value, numerator, denominator
FROM model.unit_metrics
WHERE $tree = 'as_was'
  AND scope_code = $scope AND metric_code = $metric AND period_type = 'month' AND year(period_start) = $year
ORDER BY month
