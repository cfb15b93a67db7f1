-- score.scorecard: each plan target (docs/spec §2.5) beside the value measured for its scope unit
-- over its year to the as-of date, and its status (docs/spec §4.6). Columns: docs/spec §5 (scorecard).
--
-- The measured value is the `year` row of model.unit_metrics (period_end already cut at the
-- as-of date). status: `met` when `value comparator target` holds, `not_met` when not,
-- `no_data` when the value is NULL or the year is not among the published periods; then
-- value, numerator and denominator are NULL too.

CREATE SCHEMA IF NOT EXISTS score;

CREATE OR REPLACE TABLE score.scorecard AS
WITH
year_metrics AS (
    SELECT
        scope_code,
        scope_name,
        CAST(year(period_start) AS INTEGER) AS year,
        metric_code,
        numerator,
        denominator,
        value
    FROM model.unit_metrics
    WHERE period_type = 'year'
),
measured AS (
    SELECT
        t.plan_id,
        t.scope_code,
        coalesce(m.scope_name, a.agency_name) AS scope_name,
        t.year,
        t.kpi_code,
        t.comparator,
        t.target,
        m.value,
        m.numerator,
        m.denominator,
        t.source,
        CASE t.comparator
            WHEN '>' THEN m.value > t.target
            WHEN '>=' THEN m.value >= t.target
            WHEN '<' THEN m.value < t.target
            WHEN '<=' THEN m.value <= t.target
        END AS holds
    FROM staging.targets AS t
    LEFT JOIN staging.agencies AS a ON a.agency_code = t.scope_code
    LEFT JOIN year_metrics AS m
      ON m.scope_code = t.scope_code
     AND m.year = t.year
     AND m.metric_code = t.kpi_code
)
SELECT
    plan_id,
    scope_code,
    scope_name,
    year,
    kpi_code,
    comparator,
    target,
    value,
    CASE WHEN value IS NOT NULL THEN numerator END AS numerator,
    CASE WHEN value IS NOT NULL THEN denominator END AS denominator,
    CASE
        WHEN value IS NULL THEN 'no_data'
        WHEN holds THEN 'met'
        ELSE 'not_met'
    END AS status,
    CAST($as_of AS DATE) AS as_of,
    source
FROM measured
ORDER BY year, plan_id, scope_code, kpi_code;
