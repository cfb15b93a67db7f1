-- One unit_changes file (docs/spec §2.6): agency_code and successor_code are required,
-- effective_date, where given, is a date. Both units must be valid units of the tree just stored
-- (unknown_agency); the successor must be alive on the effective date (inconsistent_dates); an
-- empty effective_date is the day after the ended unit's valid_to (and required when the unit has
-- no valid_to). Loops of successors are checked over all files together afterwards
-- (ingest/tree.py).
INSERT INTO unit_changes_candidates
WITH rows AS (
    SELECT
        landing.*,
        key_cell(agency_code) AS unit_code,
        key_cell(successor_code) AS successor,
        CAST(parse_ts(cell(effective_date)) AS DATE) AS effective_given
    FROM landing
),
dated AS (
    SELECT
        rows.*,
        coalesce(rows.effective_given, CAST(ended.valid_to + INTERVAL 1 DAY AS DATE)) AS effective,
        ended.agency_code IS NOT NULL AS unit_known,
        successor_unit.agency_code IS NOT NULL AS successor_known,
        successor_unit.valid_from AS successor_from,
        successor_unit.valid_to AS successor_to
    FROM rows
    LEFT JOIN staging.agencies AS ended ON ended.agency_code = rows.unit_code
    LEFT JOIN staging.agencies AS successor_unit ON successor_unit.agency_code = rows.successor
)
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN bad_encoding THEN 'bad_encoding'
        WHEN malformed THEN 'malformed_row'
        WHEN unit_code IS NULL OR successor IS NULL THEN 'missing_required'
        WHEN cell(effective_date) IS NOT NULL AND effective_given IS NULL THEN 'bad_timestamp'
        WHEN NOT unit_known OR NOT successor_known THEN 'unknown_agency'
        WHEN effective IS NULL THEN 'missing_required'
        WHEN unit_code = successor THEN 'bad_code'
        WHEN effective < coalesce(successor_from, effective) OR effective > coalesce(successor_to, effective)
            THEN 'inconsistent_dates'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    unit_code, successor, effective
FROM dated
ORDER BY row_number;
