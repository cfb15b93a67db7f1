-- Store who took over each ended unit (docs/spec §2.6) once ingest/tree.py has checked for loops:
-- the kept rows but those on a loop ($looped, bad_code); rejected rows to meta.quarantine.
CREATE OR REPLACE TABLE staging.unit_changes AS
SELECT agency_code, successor_code, effective_date
FROM unit_changes_latest
WHERE agency_code NOT IN (SELECT unnest($looped::VARCHAR[]))
ORDER BY agency_code;

INSERT INTO meta.quarantine (kind, source_file, row_number, reason, raw_values)
SELECT 'unit_changes', source_file, row_number, reason, raw_values
FROM unit_changes_candidates
WHERE reason IS NOT NULL
UNION ALL
SELECT 'unit_changes', source_file, row_number, 'bad_code', raw_values
FROM unit_changes_latest
WHERE agency_code IN (SELECT unnest($looped::VARCHAR[]));
