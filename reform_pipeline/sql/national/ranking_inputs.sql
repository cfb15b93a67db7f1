-- What the national 766 ranking (docs/spec §5.2) reads, from the unioned province tables.
--
-- national_roots: each province's root unit, the unit its scorecard page scores (the root of
-- today's tree, docs/spec §2.3, §4.7): a unit without a parent, alive at the as-of date first,
-- then by code (a merged province's old root has ended).
CREATE OR REPLACE TEMP TABLE national_roots AS
SELECT province_code, agency_code AS scope_code, agency_name AS scope_name
FROM national.mart.units
WHERE parent_code IS NULL
QUALIFY row_number() OVER (
    PARTITION BY province_code ORDER BY alive_at_as_of DESC NULLS LAST, agency_code
) = 1;

-- national_month_totals: the root unit's 766 total (docs/spec §4.5) of every whole calendar month
-- (a month cut short by the as-of date is left out), with the sum of every indicator's maximum
-- beside the covered maximum.
CREATE OR REPLACE TEMP TABLE national_month_totals AS
WITH indicator_max AS (
    SELECT province_code, scope_code, period_start, sum(max_points) AS full_max_points
    FROM national.mart.index_766
    WHERE period_type = 'month' AND indicator_code <> 'total'
    GROUP BY province_code, scope_code, period_start
)
SELECT i.province_code, i.period_start, i.period_end, i.points, i.max_points, i.score_100,
       CAST(m.full_max_points AS INTEGER) AS full_max_points
FROM national.mart.index_766 AS i
JOIN national_roots AS r ON r.province_code = i.province_code AND r.scope_code = i.scope_code
LEFT JOIN indicator_max AS m
  ON m.province_code = i.province_code AND m.scope_code = i.scope_code AND m.period_start = i.period_start
WHERE i.period_type = 'month' AND i.indicator_code = 'total'
  AND i.period_end = last_day(i.period_start);
