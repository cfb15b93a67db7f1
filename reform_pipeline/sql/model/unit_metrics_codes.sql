-- Step 9 of model/unit_metrics.sql: exactly the catalogue's codes (docs/spec §4.4) in the table
-- model/build.py has just written, model.$table_name, in the transaction that wrote it. A code
-- computed in step 8 but missing from the catalogue would be published without a label, kind or
-- target validation, and a catalogued code not computed would be missing from every unit and
-- period. Either stops the run here, naming the codes, and the table is rolled back to what it
-- was. With no accepted dossier there are no rows to compare.
WITH computed AS (
    SELECT DISTINCT metric_code FROM query_table('model.' || $table_name)
),
problems AS (
    SELECT metric_code || ' (computed, not in the catalogue)' AS problem
    FROM computed
    WHERE metric_code NOT IN (SELECT metric_code FROM meta.metric_catalogue)
    UNION ALL
    SELECT metric_code || ' (in the catalogue, not computed)'
    FROM meta.metric_catalogue
    WHERE metric_code NOT IN (SELECT metric_code FROM computed)
      AND EXISTS (SELECT 1 FROM computed)
)
SELECT CASE
    WHEN count(*) > 0 THEN error(
        'model.' || $table_name || ' and the metric catalogue (reform_pipeline/catalogue/metrics.csv) differ: '
        || string_agg(problem, ', ' ORDER BY problem))
END
FROM problems;
