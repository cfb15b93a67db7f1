-- The sheets of a workbook that were not read (docs/spec §2.0 "Sheets", §5 run_info).
UPDATE meta.input_files SET ignored_sheets = CAST($sheets AS VARCHAR[]) WHERE file_name = $file_name
