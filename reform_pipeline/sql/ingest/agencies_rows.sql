-- One agencies file (docs/spec §2.3): agency_code and agency_name are required; kind, where given,
-- is one of province, department, district, commune, ward, center, division; valid_from and
-- valid_to, where given, are dates, valid_from not after valid_to. Parents, lives against the
-- parent's and the single current root are checked over all files together afterwards
-- (ingest/tree.py).
INSERT INTO agencies_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN bad_encoding THEN 'bad_encoding'
        WHEN malformed THEN 'malformed_row'
        WHEN cell(agency_code) IS NULL OR cell(agency_name) IS NULL THEN 'missing_required'
        WHEN cell(kind) IS NOT NULL
            AND norm_code(cell(kind)) NOT IN (
                'province', 'department', 'district', 'commune', 'ward', 'center', 'division')
            THEN 'bad_code'
        WHEN (cell(valid_from) IS NOT NULL AND parse_ts(cell(valid_from)) IS NULL)
            OR (cell(valid_to) IS NOT NULL AND parse_ts(cell(valid_to)) IS NULL) THEN 'bad_timestamp'
        WHEN CAST(parse_ts(cell(valid_from)) AS DATE) > CAST(parse_ts(cell(valid_to)) AS DATE)
            THEN 'inconsistent_dates'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    key_cell(agency_code), cell(agency_name), norm_code(cell(kind)), key_cell(parent_code), cell(admin_code),
    CAST(parse_ts(cell(valid_from)) AS DATE), CAST(parse_ts(cell(valid_to)) AS DATE)
FROM landing;
