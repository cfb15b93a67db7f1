-- Rates are fractions in [0, 1] (SPEC §4.4). Every metric code is a rate except the counts
-- (dossiers_received, overdue_open) and the processing-time statistics (processing_wd_*).
-- A NULL value (denominator 0) is allowed; NaN and ±infinity are not.
-- check_rate_rows_checked holds the count of rate rows only: materializing the rows themselves
-- (2.9M on the national tree) cost more than the check.
CREATE OR REPLACE TEMP MACRO check_is_rate(metric_code) AS
    metric_code NOT IN ('dossiers_received', 'overdue_open') AND metric_code NOT LIKE 'processing_wd_%';

CREATE OR REPLACE TEMP TABLE check_rate_rows_checked AS
SELECT count(*) AS rows
FROM model.unit_metrics
WHERE check_is_rate(metric_code);

CREATE OR REPLACE TEMP TABLE check_rates_outside AS
SELECT scope_code, period_type, period_start, metric_code, numerator, denominator, value
FROM model.unit_metrics
WHERE check_is_rate(metric_code)
  AND value IS NOT NULL AND NOT (value BETWEEN 0 AND 1);
