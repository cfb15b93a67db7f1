-- Reference tables against the rows that could have fed them (docs/spec §2.2–2.6): a repeated key
-- keeps its last valid row, so a table never holds more rows than its files' valid rows
-- (rows read − rows quarantined, latest reference batch). More would mean stale rows.
WITH batch AS (
    SELECT kind, sum(rows_read - rows_quarantined) AS valid_rows
    FROM meta.input_files
    WHERE kind IN ('agencies', 'unit_changes', 'procedures', 'calendar', 'targets', 'rankings')
      AND (status = 'ingested' OR coalesce(previous_version_kept, FALSE))
      AND ingested_at = (
          SELECT max(ingested_at) FROM meta.input_files
          WHERE kind IN ('agencies', 'unit_changes', 'procedures', 'calendar', 'targets', 'rankings'))
    GROUP BY kind
),
staged AS (
    SELECT 'agencies' AS kind, 'staging.agencies' AS table_name, count(*) AS rows_staged FROM staging.agencies
    UNION ALL
    SELECT 'unit_changes', 'staging.unit_changes', count(*) FROM staging.unit_changes
    UNION ALL
    SELECT 'procedures', 'staging.procedures', count(*) FROM staging.procedures
    UNION ALL
    SELECT 'calendar', 'staging.calendar_overrides', count(*) FROM staging.calendar_overrides
    UNION ALL
    SELECT 'targets', 'staging.targets', count(*) FROM staging.targets
    UNION ALL
    SELECT 'rankings', 'staging.rankings', count(*) FROM staging.rankings
)
SELECT staged.kind, staged.table_name, staged.rows_staged, coalesce(batch.valid_rows, 0) AS valid_rows
FROM staged
LEFT JOIN batch USING (kind)
ORDER BY staged.kind;
