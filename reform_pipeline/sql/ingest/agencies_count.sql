-- The current root stored: none (no valid root unit without a valid_to, the province as it is
-- now) stops the run (docs/spec §2.3).
SELECT count(*) FROM staging.agencies WHERE parent_code IS NULL AND valid_to IS NULL
