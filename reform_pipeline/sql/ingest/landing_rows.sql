-- The data rows of the file the view `landing` shows (docs/spec §5 run_info: rows_read).
SELECT count(*) FROM landing
