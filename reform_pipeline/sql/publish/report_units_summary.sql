-- The page's "about the units" line (docs/spec §2.3, §4.7): how many units of model.units are
-- alive at the as-of date (today's tree) and how many ended before it (their history is restated
-- on today's units).
-- $as_of: the as-of date, or NULL when unknown (then no unit counts as ended).
SELECT
    count(*) FILTER (WHERE alive) AS alive,
    count(*) FILTER (WHERE NOT alive AND valid_to < CAST($as_of AS DATE)) AS ended
FROM model.units
