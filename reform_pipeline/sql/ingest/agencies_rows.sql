-- One agencies file (docs/spec §2.3): agency_code and agency_name are required; kind, where given,
-- is one of province, department, district, commune, center. Parents and the single root are
-- checked over all files together afterwards (ingest/tree.py).
INSERT INTO agencies_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN bad_encoding THEN 'bad_encoding'
        WHEN malformed THEN 'malformed_row'
        WHEN cell(agency_code) IS NULL OR cell(agency_name) IS NULL THEN 'missing_required'
        WHEN cell(kind) IS NOT NULL
            AND norm_code(cell(kind)) NOT IN ('province', 'department', 'district', 'commune', 'center')
            THEN 'bad_code'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    key_cell(agency_code), cell(agency_name), norm_code(cell(kind)), key_cell(parent_code), cell(admin_code)
FROM landing;
