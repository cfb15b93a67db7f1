-- One plan-target file (docs/spec §2.5): every column but source is required; the scope must be a
-- valid unit, the KPI a metric code of §4.4, the comparator one of > >= < <=, the target and
-- the year numbers. The metric codes are those of the metric catalogue (meta.metric_catalogue,
-- loaded from reform_pipeline/catalogue/metrics.csv before the reference files are read): a
-- metric added there can be targeted without touching this file. A target may also name the
-- province's rank in a national ranking (rank_par, rank_pci … of meta.ranking_indices, docs/spec
-- §2.7), with < or <= only.
INSERT INTO targets_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN bad_encoding THEN 'bad_encoding'
        WHEN malformed THEN 'malformed_row'
        WHEN cell(plan_id) IS NULL OR cell(scope_code) IS NULL OR cell(year) IS NULL OR cell(kpi_code) IS NULL
            OR cell(comparator) IS NULL OR cell(target) IS NULL THEN 'missing_required'
        WHEN lower(cell(kpi_code)) NOT IN (
                SELECT metric_code FROM meta.metric_catalogue UNION ALL SELECT target_code FROM meta.ranking_indices)
            OR cell(comparator) NOT IN ('>', '>=', '<', '<=')
            -- a rank is better the lower it is: "top 25" is rank_… <= 25
            OR (lower(cell(kpi_code)) IN (SELECT target_code FROM meta.ranking_indices)
                AND cell(comparator) NOT IN ('<', '<=')) THEN 'bad_code'
        WHEN decimal_number(cell(target)) IS NULL OR whole_number(cell(year)) IS NULL
            OR whole_number(cell(year)) NOT BETWEEN 2000 AND 2099 THEN 'bad_number'
        WHEN key_cell(scope_code) NOT IN (SELECT agency_code FROM staging.agencies) THEN 'unknown_agency'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    cell(plan_id), key_cell(scope_code), CAST(whole_number(cell(year)) AS INTEGER), lower(cell(kpi_code)),
    cell(comparator), decimal_number(cell(target)), cell(source)
FROM landing;
