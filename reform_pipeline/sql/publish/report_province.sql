-- The unit whose 766 index the reports show: the province as it is now, the root of the unit tree
-- without a valid_to (docs/spec §2.3).
SELECT agency_code, agency_name
FROM staging.agencies
WHERE parent_code IS NULL AND valid_to IS NULL
ORDER BY agency_code
LIMIT 1
