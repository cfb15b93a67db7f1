-- Rates are fractions in [0, 1] (docs/spec §4.4, §5.1 rates_within_0_1). Which codes are rates is
-- the metric catalogue's to say (meta.metric_catalogue, kind = 'rate'): counts and the
-- processing-time statistics in working days are not, and a rate added to the catalogue is
-- checked without touching this file.
-- A NULL value (denominator 0) is allowed; NaN and ±infinity are not. internal_units_reduction is
-- the one rate that may be negative (units were added, docs/spec §4.4): it must be at most 1.
-- check_rate_rows_checked holds the count of rate rows only: materializing the rows themselves
-- (2.9M on the national tree) cost more than the check.
CREATE OR REPLACE TEMP TABLE check_rate_codes AS
SELECT metric_code
FROM meta.metric_catalogue
WHERE kind = 'rate';

CREATE OR REPLACE TEMP TABLE check_rate_rows_checked AS
SELECT count(*) AS rows
FROM model.unit_metrics
WHERE metric_code IN (SELECT metric_code FROM check_rate_codes);

CREATE OR REPLACE TEMP TABLE check_rates_outside AS
SELECT scope_code, period_type, period_start, metric_code, numerator, denominator, value
FROM model.unit_metrics
WHERE metric_code IN (SELECT metric_code FROM check_rate_codes)
  AND value IS NOT NULL
  AND NOT (value BETWEEN 0 AND 1)
  AND NOT (metric_code = 'internal_units_reduction' AND value <= 1);
