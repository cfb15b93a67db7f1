-- One rankings file (docs/spec §2.7): the national rankings of the province (PAR Index, PCI, PAPI,
-- DTI, SIPAS), one row per index, year and unit. index_code, year, scope_code, basis and source
-- are required, and a score or a rank; the index a code of meta.ranking_indices and the basis 63
-- or 34 provinces (bad_code); the year 2000–2099, the score a decimal number, the rank and the
-- number of provinces ranked whole numbers ≥ 1, the rank not above the provinces ranked and those
-- not above the basis (bad_number); the scope a valid unit (unknown_agency). A rank needs the number
-- of provinces ranked.
INSERT INTO rankings_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN bad_encoding THEN 'bad_encoding'
        WHEN malformed THEN 'malformed_row'
        WHEN cell(index_code) IS NULL OR cell(year) IS NULL OR cell(scope_code) IS NULL OR cell(basis) IS NULL
            OR cell(source) IS NULL OR (cell(score) IS NULL AND cell(rank) IS NULL)
            OR (cell(rank) IS NOT NULL AND cell(provinces_ranked) IS NULL) THEN 'missing_required'
        WHEN upper(cell(index_code)) NOT IN (SELECT index_code FROM meta.ranking_indices)
            OR coalesce(whole_number(cell(basis)) NOT IN (63, 34), true) THEN 'bad_code'
        WHEN whole_number(cell(year)) IS NULL OR whole_number(cell(year)) NOT BETWEEN 2000 AND 2099
            OR (cell(score) IS NOT NULL AND decimal_number(cell(score)) IS NULL)
            OR (cell(rank) IS NOT NULL AND coalesce(whole_number(cell(rank)) < 1, true))
            OR (cell(provinces_ranked) IS NOT NULL AND coalesce(whole_number(cell(provinces_ranked)) < 1, true))
            OR whole_number(cell(rank)) > whole_number(cell(provinces_ranked))
            OR whole_number(cell(provinces_ranked)) > whole_number(cell(basis)) THEN 'bad_number'
        WHEN key_cell(scope_code) NOT IN (SELECT agency_code FROM staging.agencies) THEN 'unknown_agency'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    upper(cell(index_code)), CAST(whole_number(cell(year)) AS INTEGER), key_cell(scope_code),
    decimal_number(cell(score)), CAST(whole_number(cell(rank)) AS INTEGER),
    CAST(whole_number(cell(provinces_ranked)) AS INTEGER), CAST(whole_number(cell(basis)) AS INTEGER), cell(source)
FROM landing;
