-- One procedures file (docs/spec §2.2): procedure_code and processing_days (whole number ≥ 0) are
-- required; service_level and full_online_eligible from their code lists; counts whole numbers;
-- an owning agency_code, where set, must be a valid unit.
INSERT INTO procedures_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN bad_encoding THEN 'bad_encoding'
        WHEN malformed THEN 'malformed_row'
        WHEN cell(procedure_code) IS NULL OR cell(processing_days) IS NULL THEN 'missing_required'
        WHEN (cell(service_level) IS NOT NULL AND service_level_code(cell(service_level)) IS NULL)
            OR (cell(full_online_eligible) IS NOT NULL AND flag_value(cell(full_online_eligible)) IS NULL)
            THEN 'bad_code'
        WHEN whole_number(cell(processing_days)) IS NULL
            OR whole_number(cell(processing_days)) > 100000
            OR (cell(declared_fields) IS NOT NULL AND whole_number(cell(declared_fields)) IS NULL)
            OR (cell(declared_fields_baseline) IS NOT NULL AND whole_number(cell(declared_fields_baseline)) IS NULL)
            THEN 'bad_number'
        WHEN cell(agency_code) IS NOT NULL
            AND key_cell(agency_code) NOT IN (SELECT agency_code FROM staging.agencies)
            THEN 'unknown_agency'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    key_cell(procedure_code), cell(procedure_name), cell(field), key_cell(agency_code),
    coalesce(service_level_code(cell(service_level)), 2),
    coalesce(flag_value(cell(full_online_eligible)), FALSE),
    CAST(whole_number(cell(processing_days)) AS INTEGER),
    CAST(whole_number(cell(declared_fields)) AS INTEGER),
    CAST(whole_number(cell(declared_fields_baseline)) AS INTEGER)
FROM landing;
