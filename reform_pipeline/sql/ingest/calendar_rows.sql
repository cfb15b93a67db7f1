-- One calendar override file (docs/spec §2.4): a valid date and a 0/1 working-day flag.
INSERT INTO calendar_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN bad_encoding THEN 'bad_encoding'
        WHEN malformed THEN 'malformed_row'
        WHEN cell(date) IS NULL OR cell(is_working_day) IS NULL THEN 'missing_required'
        WHEN parse_ts(cell(date)) IS NULL THEN 'bad_timestamp'
        WHEN flag_value(cell(is_working_day)) IS NULL THEN 'bad_code'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    CAST(parse_ts(cell(date)) AS DATE), flag_value(cell(is_working_day)), cell(note)
FROM landing;
