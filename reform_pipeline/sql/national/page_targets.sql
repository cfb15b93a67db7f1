-- The plan targets of every province by year and status (mart.scorecard, docs/spec §4.6): the
-- national page counts those of each province's plan year.
SELECT province_code, year, status, count(*) AS targets
FROM national.mart.scorecard
GROUP BY province_code, year, status
ORDER BY province_code, year, status
