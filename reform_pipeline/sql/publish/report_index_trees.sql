-- Beside the 766 index, which follows the tree as it was (docs/spec §4.5), the dossiers received
-- by the same unit over the same period on both trees (docs/spec §4.7), with the metric's label
-- from the catalogue (the code itself if not catalogued): they differ only by the dossiers received by units that have ended and whose
-- place in today's tree is elsewhere (for the province: the units of a merged province).
-- $scope, $period_type, $period_start: the index's unit and period.
WITH received AS (
    SELECT 'as_was' AS tree, numerator
    FROM model.unit_metrics
    WHERE scope_code = $scope AND period_type = $period_type AND period_start = $period_start
      AND metric_code = 'dossiers_received'
    UNION ALL
    SELECT 'current', numerator
    FROM model.unit_metrics_current
    WHERE scope_code = $scope AND period_type = $period_type AND period_start = $period_start
      AND metric_code = 'dossiers_received'
)
SELECT
    coalesce(catalogue.label_vi, 'dossiers_received') AS label_vi,
    coalesce(catalogue.label_en, 'dossiers_received') AS label_en,
    (SELECT any_value(numerator) FROM received WHERE tree = 'as_was') AS received_as_was,
    (SELECT any_value(numerator) FROM received WHERE tree = 'current') AS received_current
FROM (SELECT 1) AS one
LEFT JOIN meta.metric_catalogue AS catalogue ON catalogue.metric_code = 'dossiers_received'
