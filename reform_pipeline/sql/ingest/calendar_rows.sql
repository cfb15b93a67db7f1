-- One calendar override file (docs/spec §2.4): a valid date and a 0/1 working-day flag. The date
-- is read once, in `rows` (the rules are macros: see ingest/agencies_rows.sql).
INSERT INTO calendar_candidates
WITH rows AS (
    SELECT landing.*, CAST(parse_ts(cell(date)) AS DATE) AS day, flag_value(cell(is_working_day)) AS working
    FROM landing
)
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN bad_encoding THEN 'bad_encoding'
        WHEN malformed THEN 'malformed_row'
        WHEN cell(date) IS NULL OR cell(is_working_day) IS NULL THEN 'missing_required'
        WHEN day IS NULL THEN 'bad_timestamp'
        WHEN working IS NULL THEN 'bad_code'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    day, working, cell(note)
FROM rows;
