-- One scorecard KPI month by month over its year, for the page's trend chart (docs/spec §4.4,
-- §4.6): the month rows of model.unit_metrics of the KPI's scope unit.
-- $scope: the scope unit; $metric: the KPI's metric code; $year: the target's year.
SELECT CAST(month(period_start) AS INTEGER) AS month, value, numerator, denominator
FROM model.unit_metrics
WHERE scope_code = $scope AND metric_code = $metric AND period_type = 'month'
  AND year(period_start) = $year
ORDER BY period_start
