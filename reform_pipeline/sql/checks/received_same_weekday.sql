-- Dossiers received on the latest day in the data, and on the same weekday of each of the
-- previous 8 weeks (k = 1 … 8), province-wide (docs/spec §4.3 received: accepted dossiers, withdrawn
-- included; at the as-of date, so dossier_facts outcome is not 'not_accepted'). Only weeks
-- on or after the first received date count as comparable; a comparable day with no dossier
-- counts 0.
WITH accepted AS (
    SELECT received_date
    FROM model.dossier_facts
    WHERE outcome <> 'not_accepted' AND received_date IS NOT NULL
),
bounds AS (
    SELECT max(received_date) AS latest_day, min(received_date) AS first_day FROM accepted
),
days AS (
    SELECT CAST(weeks.k AS INTEGER) AS k, bounds.latest_day - CAST(7 * weeks.k AS INTEGER) AS day
    FROM bounds
    CROSS JOIN range(0, 9) AS weeks(k)
    WHERE bounds.latest_day - CAST(7 * weeks.k AS INTEGER) >= bounds.first_day
)
SELECT days.k AS weeks_back, days.day, count(accepted.received_date) AS dossiers_received
FROM days
LEFT JOIN accepted ON accepted.received_date = days.day
GROUP BY days.k, days.day
ORDER BY days.k;
