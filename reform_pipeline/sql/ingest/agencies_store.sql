-- Store the unit tree (docs/spec §2.3) once ingest/tree.py has checked it: valid units with their
-- lives and depth; rejected rows, field rules first, then tree rules, to meta.quarantine.
CREATE OR REPLACE TABLE staging.agencies AS
SELECT unit.agency_code, unit.agency_name, unit.kind, unit.parent_code, unit.admin_code,
       unit.valid_from, unit.valid_to, depths.depth
FROM agencies_latest AS unit
JOIN agency_depths AS depths USING (agency_code)
ORDER BY depths.depth, unit.agency_code;

INSERT INTO meta.quarantine (kind, source_file, row_number, reason, raw_values)
SELECT 'agencies', source_file, row_number, reason, raw_values
FROM agencies_candidates
WHERE reason IS NOT NULL
UNION ALL
SELECT 'agencies', unit.source_file, unit.row_number, rejects.reason, unit.raw_values
FROM agencies_latest AS unit
JOIN agency_tree_rejects AS rejects USING (agency_code);
