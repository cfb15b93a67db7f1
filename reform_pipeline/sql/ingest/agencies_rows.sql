-- One agencies file (SPEC §2.3): agency_code and agency_name are required; kind, where given,
-- is one of province, department, district, commune, center. Parents and the single root are
-- checked over all files together afterwards (ingest/tree.py).
INSERT INTO agencies_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN malformed THEN 'malformed_row'
        WHEN is_blank(agency_code) OR is_blank(agency_name) THEN 'missing_required'
        WHEN NOT is_blank(kind)
            AND norm_code(kind) NOT IN ('province', 'department', 'district', 'commune', 'center')
            THEN 'bad_code'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    cell(agency_code), cell(agency_name), norm_code(cell(kind)), cell(parent_code), cell(admin_code)
FROM landing;
