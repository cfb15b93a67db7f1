-- Store the reference tables of this run (docs/spec §2.2–2.7): files of one kind are read in name
-- order and a repeated key keeps its last valid row. Rejected rows go to meta.quarantine.
-- (agencies are stored by ingest/agencies_store.sql once ingest/tree.py has checked the tree.)
CREATE OR REPLACE TABLE staging.procedures AS
SELECT procedure_code, procedure_name, field, agency_code, service_level, full_online_eligible,
       processing_days, declared_fields, declared_fields_baseline
FROM procedures_candidates
WHERE reason IS NULL
QUALIFY row_number() OVER (PARTITION BY procedure_code ORDER BY file_order DESC, row_number DESC) = 1;

CREATE OR REPLACE TABLE staging.calendar_overrides AS
SELECT date, is_working_day, note
FROM calendar_candidates
WHERE reason IS NULL
QUALIFY row_number() OVER (PARTITION BY date ORDER BY file_order DESC, row_number DESC) = 1;

CREATE OR REPLACE TABLE staging.targets AS
SELECT plan_id, scope_code, year, kpi_code, comparator, target, source
FROM targets_candidates
WHERE reason IS NULL
QUALIFY row_number() OVER (
    PARTITION BY plan_id, scope_code, year, kpi_code ORDER BY file_order DESC, row_number DESC) = 1;

CREATE OR REPLACE TABLE staging.rankings AS
SELECT index_code, year, scope_code, score, rank, provinces_ranked, basis, source
FROM rankings_candidates
WHERE reason IS NULL
QUALIFY row_number() OVER (
    PARTITION BY index_code, year, scope_code ORDER BY file_order DESC, row_number DESC) = 1;

INSERT INTO meta.quarantine (kind, source_file, row_number, reason, raw_values)
SELECT 'procedures', source_file, row_number, reason, raw_values FROM procedures_candidates WHERE reason IS NOT NULL
UNION ALL
SELECT 'calendar', source_file, row_number, reason, raw_values FROM calendar_candidates WHERE reason IS NOT NULL
UNION ALL
SELECT 'targets', source_file, row_number, reason, raw_values FROM targets_candidates WHERE reason IS NOT NULL
UNION ALL
SELECT 'rankings', source_file, row_number, reason, raw_values FROM rankings_candidates WHERE reason IS NOT NULL;
