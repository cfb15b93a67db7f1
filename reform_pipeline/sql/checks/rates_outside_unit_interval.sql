-- Rates are fractions in [0, 1] (SPEC §4.4). Every metric code is a rate except the counts
-- (dossiers_received, overdue_open) and the processing-time statistics (processing_wd_*).
-- A NULL value (denominator 0) is allowed; NaN and ±infinity are not.
CREATE OR REPLACE TEMP TABLE check_rate_rows AS
SELECT scope_code, period_type, period_start, metric_code, numerator, denominator, value
FROM model.unit_metrics
WHERE metric_code NOT IN ('dossiers_received', 'overdue_open')
  AND metric_code NOT LIKE 'processing_wd_%';

CREATE OR REPLACE TEMP TABLE check_rates_outside AS
SELECT *
FROM check_rate_rows
WHERE value IS NOT NULL AND NOT (value BETWEEN 0 AND 1);
