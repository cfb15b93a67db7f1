-- Scratch tables that collect the rows of every reference file of one run (docs/spec §2.2–2.7),
-- before repeated keys are resolved (the last valid row wins) and the results are stored.
CREATE OR REPLACE TEMP TABLE agencies_candidates (
    source_file VARCHAR, file_order INTEGER, row_number BIGINT, reason VARCHAR, raw_values VARCHAR,
    agency_code VARCHAR, agency_name VARCHAR, kind VARCHAR, parent_code VARCHAR, admin_code VARCHAR,
    valid_from DATE, valid_to DATE);
CREATE OR REPLACE TEMP TABLE unit_changes_candidates (
    source_file VARCHAR, file_order INTEGER, row_number BIGINT, reason VARCHAR, raw_values VARCHAR,
    agency_code VARCHAR, successor_code VARCHAR, effective_date DATE);
CREATE OR REPLACE TEMP TABLE procedures_candidates (
    source_file VARCHAR, file_order INTEGER, row_number BIGINT, reason VARCHAR, raw_values VARCHAR,
    procedure_code VARCHAR, procedure_name VARCHAR, field VARCHAR, agency_code VARCHAR,
    service_level INTEGER, full_online_eligible BOOLEAN, processing_days INTEGER,
    declared_fields INTEGER, declared_fields_baseline INTEGER);
CREATE OR REPLACE TEMP TABLE calendar_candidates (
    source_file VARCHAR, file_order INTEGER, row_number BIGINT, reason VARCHAR, raw_values VARCHAR,
    date DATE, is_working_day BOOLEAN, note VARCHAR);
CREATE OR REPLACE TEMP TABLE targets_candidates (
    source_file VARCHAR, file_order INTEGER, row_number BIGINT, reason VARCHAR, raw_values VARCHAR,
    plan_id VARCHAR, scope_code VARCHAR, year INTEGER, kpi_code VARCHAR, comparator VARCHAR,
    target DOUBLE, source VARCHAR);
CREATE OR REPLACE TEMP TABLE rankings_candidates (
    source_file VARCHAR, file_order INTEGER, row_number BIGINT, reason VARCHAR, raw_values VARCHAR,
    index_code VARCHAR, year INTEGER, scope_code VARCHAR, score DOUBLE, rank INTEGER,
    provinces_ranked INTEGER, basis INTEGER, source VARCHAR);
