-- The national page's headline indicators (docs/spec §5.2): for each province, its root unit's
-- year row on today's tree (mart.unit_metrics_current, docs/spec §4.7) for the year of the
-- province's as-of date, over the year to that date. $metrics: the metric codes shown.
SELECT p.province_code, m.metric_code, m.period_start, m.period_end, m.numerator, m.denominator,
       m.value
FROM national.mart.provinces AS p
JOIN national_roots AS r ON r.province_code = p.province_code
JOIN national.mart.unit_metrics_current AS m
  ON m.province_code = p.province_code AND m.scope_code = r.scope_code
WHERE m.period_type = 'year'
  AND m.period_start = CAST(date_trunc('year', p.as_of) AS DATE)
  AND list_contains($metrics, m.metric_code)
ORDER BY p.province_code, m.metric_code
