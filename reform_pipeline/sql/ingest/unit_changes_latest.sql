-- A second row for the same ended unit keeps the last valid one: files in name order, rows in
-- file order (docs/spec §2.6).
CREATE OR REPLACE TEMP TABLE unit_changes_latest AS
SELECT * FROM unit_changes_candidates WHERE reason IS NULL
QUALIFY row_number() OVER (PARTITION BY agency_code ORDER BY file_order DESC, row_number DESC) = 1
