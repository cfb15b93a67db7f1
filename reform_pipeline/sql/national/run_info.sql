-- docs/spec §5.2 mart.national_run_info: one row, the national build being read.
CREATE TABLE national.mart.national_run_info AS
SELECT
    CAST($run_id AS VARCHAR) AS run_id,
    CAST($built_at AS TIMESTAMP WITH TIME ZONE) AS built_at,
    CAST((SELECT count(*) FROM national.mart.provinces) AS INTEGER) AS provinces,
    'month' AS ranking_period_type,
    (SELECT any_value(period_start) FROM national.mart.national_766_ranking) AS ranking_period_start,
    (SELECT any_value(period_end) FROM national.mart.national_766_ranking) AS ranking_period_end;
