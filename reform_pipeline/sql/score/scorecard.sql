-- score.scorecard: each plan target (docs/spec §2.5) beside the value measured for its scope unit
-- over its year to the as-of date, and its status (docs/spec §4.6). Columns: docs/spec §5 (scorecard).
--
-- The measured value is the `year` row (period_end already cut at the as-of date) of
-- model.unit_metrics_current when the scope unit is alive at the as-of date, so that a province's
-- 2025 target covers the whole province as it is now (docs/spec §4.7); of model.unit_metrics, the
-- tree as it was, when the scope unit has ended. `tree` says which. A target on a national ranking
-- (rank_par …, docs/spec §2.7) reads the rank of its year from staging.rankings: value = rank,
-- numerator = rank, denominator = the provinces ranked, value_source = who published it; no row,
-- or no rank, is no_data (a missing year is never guessed).
--
-- status: `met` when `value comparator target` holds, `not_met` when not, `no_data` when the value
-- is NULL or the year is not among the published periods; then value, numerator and denominator
-- are NULL too.

CREATE SCHEMA IF NOT EXISTS score;

CREATE OR REPLACE TABLE score.scorecard AS
WITH
year_metrics AS (
    SELECT
        'current' AS tree, scope_code, scope_name, CAST(year(period_start) AS INTEGER) AS year,
        metric_code, numerator, denominator, value
    FROM model.unit_metrics_current
    WHERE period_type = 'year'
    UNION ALL
    SELECT
        'as_was', metrics.scope_code, metrics.scope_name, CAST(year(metrics.period_start) AS INTEGER),
        metrics.metric_code, metrics.numerator, metrics.denominator, metrics.value
    FROM model.unit_metrics AS metrics
    JOIN model.units AS unit ON unit.agency_code = metrics.scope_code AND NOT unit.alive
    WHERE metrics.period_type = 'year'
),
-- a national ranking (docs/spec §2.7): the rank of the target's year, out of the provinces ranked
rankings AS (
    SELECT
        NULL AS tree, ranking.scope_code, CAST(NULL AS VARCHAR) AS scope_name, ranking.year,
        indices.target_code AS metric_code, CAST(ranking.rank AS BIGINT) AS numerator,
        CAST(ranking.provinces_ranked AS BIGINT) AS denominator, CAST(ranking.rank AS DOUBLE) AS value,
        ranking.source AS value_source
    FROM staging.rankings AS ranking
    JOIN meta.ranking_indices AS indices USING (index_code)
),
measures AS (
    SELECT *, CAST(NULL AS VARCHAR) AS value_source FROM year_metrics
    UNION ALL BY NAME
    SELECT * FROM rankings
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
        CASE WHEN r.target_code IS NULL
            THEN coalesce(m.tree, CASE WHEN u.alive THEN 'current' ELSE 'as_was' END) END AS tree,
        m.value_source,
        CASE t.comparator
            WHEN '>' THEN m.value > t.target
            WHEN '>=' THEN m.value >= t.target
            WHEN '<' THEN m.value < t.target
            WHEN '<=' THEN m.value <= t.target
        END AS holds
    FROM staging.targets AS t
    LEFT JOIN staging.agencies AS a ON a.agency_code = t.scope_code
    LEFT JOIN model.units AS u ON u.agency_code = t.scope_code
    LEFT JOIN meta.ranking_indices AS r ON r.target_code = t.kpi_code
    LEFT JOIN measures AS m
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
    source,
    tree,
    CASE WHEN value IS NOT NULL THEN value_source END AS value_source
FROM measured
ORDER BY year, plan_id, scope_code, kpi_code;
