-- A repeated unit code keeps its last valid row: files in name order, rows in file order
-- (docs/spec §2.3).
CREATE OR REPLACE TEMP TABLE agencies_latest AS SELECT * FROM agencies_candidates WHERE reason IS NULL QUALIFY row_number() OVER (PARTITION BY agency_code ORDER BY file_order DESC, row_number DESC) = 1 ORDER BY file_order, row_number
