-- docs/spec §5.2 mart.national_766_ranking: the provinces ranked by the 766 score (docs/spec §4.5)
-- of their root unit over one calendar month, the same for every province: the latest whole month
-- that every province with a whole month has (the earliest of their latest whole months). Ties
-- share a rank (1, 2, 2, 4). A province without a score for that month is listed unranked, with
-- the reason. One row per row of mart.provinces.
CREATE TABLE national.mart.national_766_ranking AS
WITH latest AS (
    SELECT province_code, max(period_start) AS latest_month
    FROM national_month_totals
    GROUP BY province_code
),
period AS (
    SELECT min(latest_month) AS period_start FROM latest
),
scored AS (
    SELECT p.province_code, p.province_name, p.status, p.as_of, r.scope_code, r.scope_name,
           t.period_start AS found_month, t.score_100, t.points, t.max_points, t.full_max_points
    FROM national.mart.provinces AS p
    LEFT JOIN national_roots AS r ON r.province_code = p.province_code
    LEFT JOIN national_month_totals AS t
      ON t.province_code = p.province_code AND t.period_start = (SELECT period_start FROM period)
)
SELECT
    CAST(CASE WHEN score_100 IS NOT NULL
              THEN rank() OVER (PARTITION BY score_100 IS NULL ORDER BY score_100 DESC) END AS INTEGER)
        AS rank,
    province_code,
    province_name,
    scope_code,
    scope_name,
    'month' AS period_type,
    (SELECT period_start FROM period) AS period_start,
    last_day((SELECT period_start FROM period)) AS period_end,
    score_100,
    points,
    max_points,
    full_max_points,
    status,
    as_of,
    CASE
        WHEN status = 'missing' THEN 'no rows'
        WHEN scope_code IS NULL THEN 'no root unit'
        WHEN (SELECT period_start FROM period) IS NULL THEN 'no whole month'
        WHEN found_month IS NULL THEN 'no 766 index for the month'
        WHEN score_100 IS NULL THEN 'nothing covered'
    END AS unranked_reason
FROM scored
ORDER BY rank NULLS LAST, province_code;
