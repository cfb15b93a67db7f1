-- model.calendar: the working-day calendar (docs/spec §4.1).
-- One row per date of the span; the working status comes from model/calendar.py (holidays
-- package, make-up Saturdays, then staging.calendar_overrides), bound as the lists $dates,
-- $working, $sources and $notes (one entry per date).
-- wd_index counts working days up to and including the date, so that
-- wd(a, b) = wd_index(b) - wd_index(a) for b > a and 0 otherwise: every working-day difference
-- in the model is a join on this table, never a loop over dates.
CREATE SCHEMA IF NOT EXISTS model;

CREATE OR REPLACE TABLE model.calendar AS
SELECT
    CAST(date AS DATE) AS date,
    CAST(is_working_day AS BOOLEAN) AS is_working_day,
    CAST(source AS VARCHAR) AS source,
    CAST(note AS VARCHAR) AS note,
    CAST(sum(CASE WHEN is_working_day THEN 1 ELSE 0 END)
        OVER (ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS INTEGER) AS wd_index
FROM (SELECT unnest($dates) AS date, unnest($working) AS is_working_day,
             unnest($sources) AS source, unnest($notes) AS note) AS calendar_days
ORDER BY date;
