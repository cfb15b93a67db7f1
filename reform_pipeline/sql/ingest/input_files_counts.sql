-- The counts recorded for a file ($file_name), kept when it is recorded again unchanged (touched,
-- same content: docs/spec §2, §5 run_info).
SELECT rows_read, rows_quarantined, unknown_columns, ignored_sheets FROM meta.input_files WHERE file_name = $file_name
