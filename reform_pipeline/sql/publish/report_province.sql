-- The unit whose 766 index the reports show: the province as it is now, the root of today's tree
-- (docs/spec §2.3, §4.7): the root alive at the as-of date in model.units.
SELECT agency_code, agency_name
FROM model.units
WHERE parent_code IS NULL AND alive
ORDER BY agency_code
LIMIT 1
