-- The metric catalogue (docs/spec §4.4 metric codes, §4.5 the 766-style index, §5
-- mart.metric_catalogue): the one place every metric code, its kind, labels and definition, and
-- every 766 indicator with its group, rate, maximum and threshold are written down. Read from
-- the package's reform_pipeline/catalogue/metrics.csv and index_766.csv ($metrics_file,
-- $indicators_file) on every run, so that the warehouse always holds the catalogue of the code
-- that runs. Target validation (targets_rows.sql), the rates check, the index, the report and the
-- BI file read these tables; unit_metrics.sql stops when its codes differ from them.
--
-- Types are given, not sniffed: a threshold of 1 must not become an integer column, nor a code
-- a number. display_order is the row's place in its file (the order of the contract's tables),
-- which the report and the BI file list by; the files are read in one thread so that the rows
-- arrive in file order.

CREATE SCHEMA IF NOT EXISTS meta;

CREATE OR REPLACE TEMP TABLE catalogue_metrics_file AS
SELECT
    CAST(row_number() OVER () AS INTEGER) AS display_order,
    trim(metric_code) AS metric_code,
    trim(kind) AS kind,
    trim(label_vi) AS label_vi,
    trim(label_en) AS label_en,
    trim(description) AS description
FROM read_csv(
    $metrics_file, header = true, auto_detect = false, parallel = false, encoding = 'utf-8',
    columns = {'metric_code': 'VARCHAR', 'kind': 'VARCHAR', 'label_vi': 'VARCHAR', 'label_en': 'VARCHAR',
               'description': 'VARCHAR'});

-- threshold is read wider than it is stored, so that a T with a third decimal is refused below
-- instead of being rounded silently into DECIMAL(4,2).
CREATE OR REPLACE TEMP TABLE catalogue_indicators_file AS
SELECT
    CAST(row_number() OVER () AS INTEGER) AS display_order,
    trim(indicator_code) AS indicator_code,
    trim(label_vi) AS label_vi,
    trim(label_en) AS label_en,
    trim(indicator_group) AS indicator_group,
    trim(indicator_group_en) AS indicator_group_en,
    nullif(trim(rate_metric_code), '') AS rate_metric_code,
    max_points,
    threshold,
    trim(description) AS description
FROM read_csv(
    $indicators_file, header = true, auto_detect = false, parallel = false, encoding = 'utf-8',
    columns = {'indicator_code': 'VARCHAR', 'label_vi': 'VARCHAR', 'label_en': 'VARCHAR',
               'indicator_group': 'VARCHAR', 'indicator_group_en': 'VARCHAR',
               'rate_metric_code': 'VARCHAR', 'max_points': 'INTEGER', 'threshold': 'DECIMAL(18,6)',
               'description': 'VARCHAR'});

-- A row that would make a metric vanish or a label go blank stops the run here, before any
-- table is replaced: every problem is named at once.
WITH codes AS (
    -- the code rules both files share
    SELECT 'metrics.csv' AS catalogue_file, metric_code AS code FROM catalogue_metrics_file
    UNION ALL
    SELECT 'index_766.csv', indicator_code FROM catalogue_indicators_file
),
problems AS (
    SELECT catalogue_file || ': ' || coalesce(code, '(no code)') || ': code is not lower_snake_case' AS problem
    FROM codes
    WHERE NOT coalesce(regexp_full_match(code, '[a-z][a-z0-9_]*'), false)
    UNION ALL
    SELECT catalogue_file || ': ' || code || ': listed ' || count(*) || ' times'
    FROM codes
    GROUP BY catalogue_file, code
    HAVING count(*) > 1
    UNION ALL
    SELECT 'metrics.csv: ' || metric_code || ': kind must be count, rate or working_days'
    FROM catalogue_metrics_file
    WHERE kind IS NULL OR kind NOT IN ('count', 'rate', 'working_days')
    UNION ALL
    SELECT 'metrics.csv: ' || metric_code || ': label_vi, label_en and description are required'
    FROM catalogue_metrics_file
    WHERE coalesce(label_vi, '') = '' OR coalesce(label_en, '') = '' OR coalesce(description, '') = ''
    UNION ALL
    -- mart.index_766 names its total row `total`, and the BI catalogue lists both kinds of code
    -- in one column
    SELECT 'index_766.csv: ' || indicator_code || ': the code is taken (total, or a metric code)'
    FROM catalogue_indicators_file
    WHERE indicator_code = 'total' OR indicator_code IN (SELECT metric_code FROM catalogue_metrics_file)
    UNION ALL
    SELECT 'index_766.csv: ' || indicator_code || ': label_vi, label_en, indicator_group, '
        || 'indicator_group_en and description are required'
    FROM catalogue_indicators_file
    WHERE coalesce(label_vi, '') = '' OR coalesce(label_en, '') = '' OR coalesce(indicator_group, '') = ''
        OR coalesce(indicator_group_en, '') = '' OR coalesce(description, '') = ''
    UNION ALL
    -- an indicator scores a rate of §4.4; only payment_procedures has its rate computed by the
    -- index itself (score/index_766.sql)
    SELECT 'index_766.csv: ' || indicator_code || ': rate_metric_code must be a rate of metrics.csv'
    FROM catalogue_indicators_file
    WHERE CASE
        WHEN rate_metric_code IS NULL THEN indicator_code <> 'payment_procedures'
        ELSE rate_metric_code NOT IN (SELECT metric_code FROM catalogue_metrics_file WHERE kind = 'rate')
    END
    UNION ALL
    SELECT 'index_766.csv: ' || indicator_code || ': max_points must be a whole number above 0'
    FROM catalogue_indicators_file
    WHERE max_points IS NULL OR max_points <= 0
    UNION ALL
    -- the exact points of the index need T × 100 whole (score/index_766.sql)
    SELECT 'index_766.csv: ' || indicator_code || ': threshold must lie in (0, 1] with at most 2 decimals'
    FROM catalogue_indicators_file
    WHERE threshold IS NULL OR threshold <= 0 OR threshold > 1 OR threshold * 100 <> round(threshold * 100)
    UNION ALL
    SELECT 'index_766.csv: group ' || indicator_group || ': one English name, not '
        || string_agg(DISTINCT indicator_group_en, ' and ' ORDER BY indicator_group_en)
    FROM catalogue_indicators_file
    GROUP BY indicator_group
    HAVING count(DISTINCT indicator_group_en) > 1
)
SELECT CASE
    WHEN count(*) > 0 THEN error(
        'the metric catalogue (reform_pipeline/catalogue) is not valid: ' || string_agg(problem, '; ' ORDER BY problem))
END
FROM problems;

CREATE OR REPLACE TABLE meta.metric_catalogue AS
SELECT metric_code, kind, label_vi, label_en, description, display_order
FROM catalogue_metrics_file
ORDER BY display_order;

CREATE OR REPLACE TABLE meta.index_766_indicators AS
SELECT
    indicator_code,
    label_vi,
    label_en,
    indicator_group,
    indicator_group_en,
    rate_metric_code,
    max_points,
    CAST(threshold AS DECIMAL(4, 2)) AS threshold,
    description,
    display_order
FROM catalogue_indicators_file
ORDER BY display_order;

DROP TABLE catalogue_metrics_file;
DROP TABLE catalogue_indicators_file;
