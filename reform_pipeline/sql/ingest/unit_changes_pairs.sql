-- The kept (unit, successor) pairs, in file order, for the loop check of ingest/tree.py
-- (docs/spec §2.6).
SELECT agency_code, successor_code FROM unit_changes_latest ORDER BY file_order, row_number
