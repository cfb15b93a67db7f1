-- One agencies file (docs/spec §2.3): agency_code and agency_name are required; kind, where given,
-- is one of province, department, district, commune, ward, center, division; valid_from and
-- valid_to, where given, are dates, valid_from not after valid_to. Parents, lives against the
-- parent's and the single current root are checked over all files together afterwards
-- (ingest/tree.py). Each date is read once, in `rows`: the rules are macros, expanded wherever
-- they are written, and planning the expanded statement would cost more than reading the file.
INSERT INTO agencies_candidates
WITH rows AS (
    SELECT
        landing.*,
        cell(valid_from) AS from_text,
        cell(valid_to) AS to_text,
        CAST(parse_ts(cell(valid_from)) AS DATE) AS from_date,
        CAST(parse_ts(cell(valid_to)) AS DATE) AS to_date
    FROM landing
)
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
        WHEN (from_text IS NOT NULL AND from_date IS NULL)
            OR (to_text IS NOT NULL AND to_date IS NULL) THEN 'bad_timestamp'
        WHEN from_date > to_date THEN 'inconsistent_dates'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    key_cell(agency_code), cell(agency_name), norm_code(cell(kind)), key_cell(parent_code), cell(admin_code),
    from_date, to_date
FROM rows;
