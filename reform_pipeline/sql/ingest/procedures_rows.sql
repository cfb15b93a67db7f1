-- One procedures file (SPEC §2.2): procedure_code and processing_days (whole number ≥ 0) are
-- required; service_level and full_online_eligible from their code lists; counts whole numbers;
-- an owning agency_code, where set, must be a valid unit.
INSERT INTO procedures_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN malformed THEN 'malformed_row'
        WHEN is_blank(procedure_code) OR is_blank(processing_days) THEN 'missing_required'
        WHEN (NOT is_blank(service_level) AND service_level_code(service_level) IS NULL)
            OR (NOT is_blank(full_online_eligible) AND flag_value(full_online_eligible) IS NULL)
            THEN 'bad_code'
        WHEN whole_number(processing_days) IS NULL
            OR whole_number(processing_days) > 100000
            OR (NOT is_blank(declared_fields) AND whole_number(declared_fields) IS NULL)
            OR (NOT is_blank(declared_fields_baseline) AND whole_number(declared_fields_baseline) IS NULL)
            THEN 'bad_number'
        WHEN NOT is_blank(agency_code)
            AND cell(agency_code) NOT IN (SELECT agency_code FROM staging.agencies)
            THEN 'unknown_agency'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    cell(procedure_code), cell(procedure_name), cell(field), cell(agency_code),
    coalesce(service_level_code(service_level), 2),
    coalesce(flag_value(full_online_eligible), FALSE),
    CAST(whole_number(processing_days) AS INTEGER),
    CAST(whole_number(declared_fields) AS INTEGER),
    CAST(whole_number(declared_fields_baseline) AS INTEGER)
FROM landing;
