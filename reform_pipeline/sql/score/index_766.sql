-- score.index_766: the 766-style service-quality index (docs/spec §4.5; Quyết định 766/QĐ-TTg),
-- one row per unit × period × indicator of model.unit_metrics, plus one `total` row per
-- unit × period. Columns: docs/spec §5 (index_766) and docs/bi.md.
--
-- The indicators, their groups, the rates they score, maximum points and thresholds are those of
-- the metric catalogue (meta.index_766_indicators, from reform_pipeline/catalogue/index_766.csv).
-- Only payment_procedures, whose rate no metric code carries, is computed here.
--
-- Exactness: the points are computed from the integer numerator and denominator, never from
-- the DOUBLE rate, so that "r ≥ T" and the rounding half away from zero are exact. r × P / T
-- can land exactly on x.xx5 (on_time 41/800 → 20 × 0.05125 = 1.025 → 1.03), where DOUBLE
-- arithmetic would give 1.02. With a ≥ 0 and b > 0 whole numbers, a / b rounded half away
-- from zero to a whole number is (2a + b) // (2b).

CREATE SCHEMA IF NOT EXISTS score;

CREATE OR REPLACE TABLE score.index_766 AS
WITH
-- The covered indicators of docs/spec §4.5. `threshold_hundredths` is T × 100 as a whole number
-- (the catalogue refuses a T with more than 2 decimals).
indicator_definitions AS (
    SELECT
        indicator_code,
        indicator_group,
        rate_metric_code,
        CAST(max_points AS INTEGER) AS max_points,
        CAST(threshold AS DECIMAL(4, 2)) AS threshold,
        CAST(CAST(threshold AS DECIMAL(4, 2)) * 100 AS BIGINT) AS threshold_hundredths
    FROM meta.index_766_indicators
),
-- Every unit × period that unit_metrics publishes, and the period list itself (docs/spec §4.4).
unit_periods AS (
    SELECT DISTINCT scope_code, scope_name, period_type, period_start, period_end
    FROM model.unit_metrics
),
periods AS (
    SELECT DISTINCT period_type, period_start, period_end
    FROM model.unit_metrics
),
-- payment_procedures: distinct procedures with ≥ 1 received(P) dossier with a fee, and among
-- them those with ≥ 1 such dossier paid online. received(P) = accepted dossiers (withdrawn
-- included, docs/spec §4.3) received in P. Aggregated by (agency, procedure, month) first, then each
-- agency × period keeps its procedures as a set of bits (bit k: the procedure numbered k), and
-- only those sets are spread over the ancestors of the agency and united there (bit_or): the
-- number of distinct procedures of a subtree is the number of bits set. The fan-out of the
-- closure applies to one row per agency and period, not to every procedure of it.
-- Every period starts on a month start and ends on a month end or on the as-of cut, so months
-- cut at the latest period_end are exact building blocks of every period.
-- $last_procedure_number: the number of distinct procedure codes in model.dossier_facts minus 1
-- (at least 0), the range bitstring_agg needs as a constant (score/build.py).
procedure_numbers AS (
    SELECT
        procedure_code,
        CAST(row_number() OVER (ORDER BY procedure_code) - 1 AS INTEGER) AS procedure_number
    FROM (SELECT DISTINCT procedure_code FROM model.dossier_facts)
),
fee_dossier_months AS (
    SELECT
        facts.agency_code,
        numbers.procedure_number,
        CAST(date_trunc('month', facts.received_date) AS DATE) AS month_start,
        bool_or(facts.paid_online IN (1, 2)) AS any_paid_online  -- thanh toán trực tuyến
    FROM model.dossier_facts AS facts
    JOIN procedure_numbers AS numbers ON numbers.procedure_code = facts.procedure_code
    WHERE facts.outcome <> 'not_accepted'
      AND facts.received_date IS NOT NULL
      AND facts.fee_amount > 0
      AND facts.received_date <= (SELECT max(period_end) FROM periods)
    GROUP BY facts.agency_code, numbers.procedure_number, month_start
),
fee_month_grains AS (
    -- each month under the start of its month, quarter and year; computed before the join so
    -- that the join to the period list is on plain columns (a hash join, not a filtered cross
    -- product)
    SELECT
        m.agency_code,
        m.procedure_number,
        grains.period_type,
        CAST(date_trunc(grains.period_type, m.month_start) AS DATE) AS period_start,
        m.any_paid_online
    FROM fee_dossier_months AS m
    CROSS JOIN (VALUES ('month'), ('quarter'), ('year')) AS grains (period_type)
),
fee_agency_periods AS (
    SELECT
        g.agency_code,
        g.period_type,
        g.period_start,
        bitstring_agg(g.procedure_number, 0, $last_procedure_number) AS fee_procedures,
        -- NULL when none was paid online
        bitstring_agg(g.procedure_number, 0, $last_procedure_number) FILTER (WHERE g.any_paid_online)
            AS paid_procedures
    FROM fee_month_grains AS g
    SEMI JOIN periods AS p
      ON p.period_type = g.period_type
     AND p.period_start = g.period_start
    GROUP BY g.agency_code, g.period_type, g.period_start
),
payment_procedures AS (
    -- a unit covers every dossier received by it or by any unit below it (docs/spec §2.3)
    SELECT
        c.ancestor_code AS scope_code,
        f.period_type,
        f.period_start,
        'payment_procedures' AS indicator_code,
        coalesce(bit_count(bit_or(f.paid_procedures)), 0) AS numerator,
        bit_count(bit_or(f.fee_procedures)) AS denominator,
        coalesce(bit_count(bit_or(f.paid_procedures)), 0) / bit_count(bit_or(f.fee_procedures)) AS value
    FROM fee_agency_periods AS f
    JOIN staging.unit_closure AS c ON c.descendant_code = f.agency_code
    GROUP BY c.ancestor_code, f.period_type, f.period_start
),
-- each indicator's rate: the metric it scores, or the one computed above
rates AS (
    SELECT m.scope_code, m.period_type, m.period_start, i.indicator_code, m.numerator, m.denominator, m.value
    FROM model.unit_metrics AS m
    JOIN indicator_definitions AS i ON i.rate_metric_code = m.metric_code
    UNION ALL
    SELECT scope_code, period_type, period_start, indicator_code, numerator, denominator, value
    FROM payment_procedures
),
indicator_rows AS (
    SELECT
        u.scope_code,
        u.scope_name,
        u.period_type,
        u.period_start,
        u.period_end,
        i.indicator_code,
        i.indicator_group,
        r.value AS rate,
        i.max_points,
        i.threshold,
        -- an indicator whose rate is NULL is not covered (docs/spec §4.5)
        CASE
            WHEN r.value IS NULL OR r.denominator IS NULL OR r.denominator <= 0 THEN NULL
            -- r ≥ T  ⇔  numerator × 100 ≥ T × 100 × denominator
            WHEN CAST(r.numerator AS HUGEINT) * 100
                 >= CAST(i.threshold_hundredths AS HUGEINT) * r.denominator
                THEN CAST(i.max_points AS HUGEINT) * 100
            -- points × 100 = numerator × P × 100 × 100 / (denominator × T × 100), rounded
            ELSE (2 * CAST(r.numerator AS HUGEINT) * i.max_points * 10000
                  + CAST(r.denominator AS HUGEINT) * i.threshold_hundredths)
                 // (2 * CAST(r.denominator AS HUGEINT) * i.threshold_hundredths)
        END AS points_hundredths
    FROM unit_periods AS u
    CROSS JOIN indicator_definitions AS i
    LEFT JOIN rates AS r
      ON r.scope_code = u.scope_code
     AND r.period_type = u.period_type
     AND r.period_start = u.period_start
     AND r.indicator_code = i.indicator_code
),
total_rows AS (
    SELECT
        scope_code,
        scope_name,
        period_type,
        period_start,
        period_end,
        -- earned points: the sum of the rounded points of the covered indicators
        coalesce(sum(points_hundredths), 0) AS earned_hundredths,
        coalesce(sum(max_points) FILTER (WHERE points_hundredths IS NOT NULL), 0) AS covered_max
    FROM indicator_rows
    GROUP BY scope_code, scope_name, period_type, period_start, period_end
),
-- the indicator rows and one total row per unit × period
all_rows AS (
    SELECT
        scope_code,
        scope_name,
        period_type,
        period_start,
        period_end,
        indicator_code,
        indicator_group,
        rate,
        max_points,
        threshold,
        CAST(CAST(points_hundredths AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(9, 2)) AS points,
        CAST(NULL AS DECIMAL(5, 2)) AS score_100
    FROM indicator_rows
    UNION ALL
    SELECT
        scope_code,
        scope_name,
        period_type,
        period_start,
        period_end,
        'total' AS indicator_code,
        CAST(NULL AS VARCHAR) AS indicator_group,
        CAST(NULL AS DOUBLE) AS rate,
        CAST(covered_max AS INTEGER) AS max_points,
        CAST(NULL AS DECIMAL(4, 2)) AS threshold,
        CAST(CAST(earned_hundredths AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(9, 2)) AS points,
        -- score_100 × 100 = earned × 100 × 100 / covered = earned_hundredths × 100 / covered
        CASE
            WHEN covered_max > 0 THEN CAST(
                CAST((2 * CAST(earned_hundredths AS HUGEINT) * 100 + covered_max)
                     // (2 * CAST(covered_max AS HUGEINT)) AS DECIMAL(18, 0)) * 0.01
                AS DECIMAL(5, 2))
        END AS score_100
    FROM total_rows
)
-- Written unordered: sorting 1.6M rows (national tree) cost a third of this statement, and
-- readers order by what they need (docs/bi.md).
SELECT *
FROM all_rows;
