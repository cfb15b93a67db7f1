-- The quarantined rows of each reference file (docs/spec §5 run_info: rows_quarantined).
SELECT source_file, count(*) FROM meta.quarantine WHERE kind IN ('agencies', 'unit_changes', 'procedures', 'calendar', 'targets', 'rankings') GROUP BY source_file
