-- model.units: every valid unit with its life, its successor (docs/spec §2.6) and its current unit
-- at the as-of date (cur(u), docs/spec §4.7): u itself if u is alive at the as-of date; else
-- cur(successor) where unit_changes names one; else cur(parent). NULL where that walk reaches no
-- unit alive at the as-of date (a merged province whose successor is not named): the check
-- ended_units_reach_a_current_unit names them. unit_id numbers the units for the integer joins
-- of model/unit_counts.sql and model/unit_metrics.sql.
CREATE SCHEMA IF NOT EXISTS model;

CREATE OR REPLACE TABLE model.units AS
WITH RECURSIVE
units AS (
    SELECT
        agency.*,
        change.successor_code,
        coalesce(agency.valid_from <= CAST($as_of AS DATE), true)
            AND coalesce(agency.valid_to >= CAST($as_of AS DATE), true) AS alive
    FROM staging.agencies AS agency
    LEFT JOIN staging.unit_changes AS change USING (agency_code)
),
-- From each unit, step to its successor, else its parent, until a unit alive at the as-of date.
-- Successor chains never loop (ingest/tree.py) and a parent's life covers its child's; the step
-- limit only bounds a walk that a future rule change could make circular.
walk (agency_code, node, steps) AS (
    SELECT agency_code, agency_code, 0 FROM units
    UNION ALL
    SELECT walk.agency_code, coalesce(unit.successor_code, unit.parent_code), walk.steps + 1
    FROM walk
    JOIN units AS unit ON unit.agency_code = walk.node
    WHERE NOT unit.alive AND coalesce(unit.successor_code, unit.parent_code) IS NOT NULL AND walk.steps < 200
),
current_units AS (
    SELECT walk.agency_code, walk.node AS current_code
    FROM walk
    JOIN units AS unit ON unit.agency_code = walk.node
    WHERE unit.alive
)
SELECT
    CAST(row_number() OVER (ORDER BY units.agency_code) AS INTEGER) AS unit_id,
    units.agency_code,
    units.agency_name,
    units.kind,
    units.parent_code,
    units.admin_code,
    units.depth,
    units.valid_from,
    units.valid_to,
    units.successor_code,
    current_units.current_code,
    units.alive
FROM units
LEFT JOIN current_units USING (agency_code)
ORDER BY units.depth, units.agency_code;

-- Which receiving units each scope covers, per tree (docs/spec §2.3, §4.7):
--   as_was:  a unit covers the dossiers received by itself and every unit below it (the tree as
--            it was, staging.unit_closure);
--   current: a unit alive at the as-of date covers the dossiers of every unit whose current unit
--            lies in its subtree of today's tree (alive units only: a parent's life covers its
--            child's, so an alive unit's ancestors are alive).
CREATE OR REPLACE TABLE model.unit_rollup AS
SELECT 'as_was' AS tree, scope.unit_id AS scope_id, unit.unit_id
FROM staging.unit_closure AS closure
JOIN model.units AS scope ON scope.agency_code = closure.ancestor_code
JOIN model.units AS unit ON unit.agency_code = closure.descendant_code
UNION ALL
SELECT 'current', scope.unit_id, unit.unit_id
FROM model.units AS unit
JOIN staging.unit_closure AS closure ON closure.descendant_code = unit.current_code
JOIN model.units AS scope ON scope.agency_code = closure.ancestor_code
WHERE scope.alive;
