-- Where the history of the units that ended went (docs/spec §4.7), for the unit history's
-- metadata: each current unit with the ended units whose current unit it is, how many reached it
-- through a named successor, and the first few codes. $1: how many current units to list.
SELECT
    coalesce(unit.current_code, '(none)') AS current_code,
    any_value(current_unit.agency_name) AS current_name,
    count(*) AS ended_units,
    count(*) FILTER (WHERE unit.successor_code IS NOT NULL) AS through_a_successor,
    string_agg(unit.agency_code, ', ' ORDER BY unit.agency_code) AS ended_codes
FROM model.units AS unit
LEFT JOIN model.units AS current_unit ON current_unit.agency_code = unit.current_code
WHERE NOT unit.alive
GROUP BY unit.current_code
ORDER BY count(*) DESC, current_code
LIMIT $1
