-- The 766 index of one unit for its latest period of one type (docs/spec §4.5): the indicator
-- rows in the catalogue's order (the decision's table), the `total` row last.
-- $scope: the unit's code; $period_type: 'year' or 'month'.
SELECT i.indicator_code, i.indicator_group, i.rate, i.max_points, i.threshold, i.points,
       i.score_100, i.period_start, i.period_end
FROM score.index_766 AS i
LEFT JOIN meta.index_766_indicators AS c ON c.indicator_code = i.indicator_code
WHERE i.scope_code = $scope AND i.period_type = $period_type
  AND i.period_start = (
    SELECT max(period_start)
    FROM score.index_766
    WHERE scope_code = $scope AND period_type = $period_type
  )
ORDER BY c.display_order NULLS LAST, i.indicator_code
