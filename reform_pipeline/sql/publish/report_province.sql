-- The unit whose 766 index the reports show: the root of the unit tree (docs/spec §2.3), the
-- province. With several roots, the shallowest, then the first by code.
SELECT agency_code, agency_name
FROM staging.agencies
WHERE parent_code IS NULL
ORDER BY depth, agency_code
LIMIT 1
