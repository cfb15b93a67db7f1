-- One plan-target file (SPEC §2.5): every column but source is required; the scope must be a
-- valid unit, the KPI a metric code of §4.4, the comparator one of > >= < <=, the target and
-- the year numbers.
INSERT INTO targets_candidates
SELECT
    $source_file, $file_order, row_number,
    CASE
        WHEN malformed THEN 'malformed_row'
        WHEN is_blank(plan_id) OR is_blank(scope_code) OR is_blank(year) OR is_blank(kpi_code)
            OR is_blank(comparator) OR is_blank(target) THEN 'missing_required'
        WHEN lower(trim(kpi_code)) NOT IN (
                'dossiers_received', 'online_rate', 'full_online_rate', 'online_payment_rate',
                'digitized_intake_rate', 'on_time_rate', 'early_rate', 'late_rate', 'overdue_open',
                'processing_wd_avg', 'processing_wd_median', 'processing_wd_p90', 'e_result_rate',
                'satisfaction_rate', 'rating_satisfied_share', 'full_online_procedure_rate',
                'declared_info_reduction')
            OR trim(comparator) NOT IN ('>', '>=', '<', '<=') THEN 'bad_code'
        WHEN decimal_number(target) IS NULL OR whole_number(year) IS NULL
            OR whole_number(year) NOT BETWEEN 2000 AND 2099 THEN 'bad_number'
        WHEN cell(scope_code) NOT IN (SELECT agency_code FROM staging.agencies) THEN 'unknown_agency'
    END,
    to_json(map_from_entries(list_zip($headers, raw_values))),
    cell(plan_id), cell(scope_code), CAST(whole_number(year) AS INTEGER), lower(trim(kpi_code)),
    trim(comparator), decimal_number(target), cell(source)
FROM landing;
