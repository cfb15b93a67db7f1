-- The valid units stored: none (no valid root unit) stops the run (docs/spec §2.3).
SELECT count(*) FROM staging.agencies
