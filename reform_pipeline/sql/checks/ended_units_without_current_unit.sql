-- Every dossier counted on today's tree reaches a unit alive at the as-of date (docs/spec §4.7):
-- the accepted dossiers whose receiving unit has no current unit (an ended root whose successor
-- unit_changes does not name, or a unit below it), per receiving unit; and, per year, the
-- accepted dossiers received against what the roots of today's tree count
-- (model.unit_metrics_current), which must be equal. One row per problem.
WITH lost AS (
    SELECT facts.agency_code, count(*) AS dossiers
    FROM model.dossier_facts AS facts
    WHERE facts.current_agency_code IS NULL AND facts.outcome <> 'not_accepted'
    GROUP BY facts.agency_code
),
received_by_year AS (
    SELECT CAST(date_trunc('year', received_date) AS DATE) AS period_start, count(*) AS dossiers
    FROM model.dossier_facts
    WHERE outcome <> 'not_accepted'
    GROUP BY 1
),
counted_by_year AS (
    SELECT metrics.period_start, sum(metrics.numerator) AS dossiers
    FROM model.unit_metrics_current AS metrics
    JOIN model.units AS unit ON unit.agency_code = metrics.scope_code AND unit.parent_code IS NULL
    WHERE metrics.period_type = 'year' AND metrics.metric_code = 'dossiers_received'
    GROUP BY metrics.period_start
)
SELECT 'no_current_unit' AS problem, lost.agency_code, NULL AS year, lost.dossiers AS dossiers,
       NULL AS counted
FROM lost
UNION ALL
SELECT 'year_total_differs', NULL, year(received.period_start), received.dossiers,
       coalesce(counted.dossiers, 0)
FROM received_by_year AS received
LEFT JOIN counted_by_year AS counted USING (period_start)
WHERE received.dossiers <> coalesce(counted.dossiers, 0)
ORDER BY problem, agency_code, year
