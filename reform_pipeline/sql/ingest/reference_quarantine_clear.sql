-- The reference files are read whole every run (docs/spec §2.2–2.6): their quarantine is
-- written again.
DELETE FROM meta.quarantine WHERE kind IN ('agencies', 'unit_changes', 'procedures', 'calendar', 'targets', 'rankings')
