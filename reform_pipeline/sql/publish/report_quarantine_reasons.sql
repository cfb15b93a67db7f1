-- The page's "about the data" box (docs/spec §2.1): the rows in quarantine per reason code, every
-- input kind together, most rows first (only the counts: never a row's values).
SELECT reason, count(*) AS rows
FROM meta.quarantine
GROUP BY reason
ORDER BY rows DESC, reason
