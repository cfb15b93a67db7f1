-- The units whose tree ingest/tree.py checks (docs/spec §2.3), in file order.
SELECT agency_code, parent_code FROM agencies_latest ORDER BY file_order, row_number
