-- The units whose tree ingest/tree.py checks (docs/spec §2.3), in file order, with their lives.
SELECT agency_code, parent_code, valid_from, valid_to FROM agencies_latest ORDER BY file_order, row_number
