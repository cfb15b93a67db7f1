-- staging.agencies must be one tree with its history (docs/spec §2.3): exactly one root without a
-- valid_to (the province as it is now; roots that ended are merged provinces), every root at
-- depth 0; every other unit's parent exists, its depth is the parent's + 1 (which also rules out
-- cycles) and its life covers the unit's; codes are unique. One row per problem found.
WITH units AS (
    SELECT agency_code, parent_code, depth, valid_from, valid_to FROM staging.agencies
),
roots AS (
    SELECT count(*) AS root_count FROM units WHERE parent_code IS NULL AND valid_to IS NULL
),
parents AS (
    SELECT agency_code, min(depth) AS depth FROM units GROUP BY agency_code
)
SELECT 'no_root' AS problem, NULL AS agency_code, NULL AS parent_code, NULL AS depth,
       NULL AS expected_depth
FROM roots
WHERE root_count = 0
UNION ALL
SELECT 'more_than_one_root', unit.agency_code, unit.parent_code, unit.depth, 0
FROM units AS unit, roots
WHERE unit.parent_code IS NULL AND unit.valid_to IS NULL AND roots.root_count > 1
UNION ALL
SELECT 'repeated_code', agency_code, NULL, NULL, NULL
FROM units
GROUP BY agency_code
HAVING count(*) > 1
UNION ALL
SELECT 'missing_parent', unit.agency_code, unit.parent_code, unit.depth, NULL
FROM units AS unit
WHERE unit.parent_code IS NOT NULL
  AND unit.parent_code NOT IN (SELECT agency_code FROM units WHERE agency_code IS NOT NULL)
UNION ALL
SELECT 'root_depth_not_0', agency_code, parent_code, depth, 0
FROM units
WHERE parent_code IS NULL AND depth IS DISTINCT FROM 0
UNION ALL
SELECT 'depth_not_parent_plus_1', unit.agency_code, unit.parent_code, unit.depth, parent.depth + 1
FROM units AS unit
JOIN parents AS parent ON parent.agency_code = unit.parent_code
WHERE unit.depth IS DISTINCT FROM parent.depth + 1
UNION ALL
SELECT 'life_outside_parent', unit.agency_code, unit.parent_code, unit.depth, NULL
FROM units AS unit
JOIN units AS parent ON parent.agency_code = unit.parent_code
WHERE coalesce(unit.valid_from, DATE '0001-01-01') < coalesce(parent.valid_from, DATE '0001-01-01')
   OR coalesce(unit.valid_to, DATE '9999-12-31') > coalesce(parent.valid_to, DATE '9999-12-31')
ORDER BY problem, agency_code;
