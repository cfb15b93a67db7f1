-- The national rankings the plans name (PAR Index, PCI, PAPI, DTI, SIPAS): their codes, the target
-- code of each (rank_par …: a plan's "national top 25" is `rank_par <= 25`), labels and publisher.
-- Read from reform_pipeline/catalogue/rankings.csv ($rankings_file) with the metric catalogue, so
-- that the rankings* input (ingest/rankings_rows.sql), target validation and the scorecard read
-- one list.
CREATE OR REPLACE TEMP TABLE catalogue_rankings_file AS
SELECT
    CAST(row_number() OVER () AS INTEGER) AS display_order,
    trim(index_code) AS index_code,
    trim(target_code) AS target_code,
    trim(label_vi) AS label_vi,
    trim(label_en) AS label_en,
    trim(publisher) AS publisher,
    trim(description) AS description
FROM read_csv(
    $rankings_file, header = true, auto_detect = false, parallel = false, encoding = 'utf-8',
    columns = {'index_code': 'VARCHAR', 'target_code': 'VARCHAR', 'label_vi': 'VARCHAR', 'label_en': 'VARCHAR',
               'publisher': 'VARCHAR', 'description': 'VARCHAR'});

WITH problems AS (
    SELECT 'rankings.csv: ' || coalesce(index_code, '(no code)') || ': index_code must be upper-case letters' AS problem
    FROM catalogue_rankings_file
    WHERE NOT coalesce(regexp_full_match(index_code, '[A-Z]+'), false)
    UNION ALL
    SELECT 'rankings.csv: ' || index_code || ': target_code must be rank_' || lower(index_code)
    FROM catalogue_rankings_file
    WHERE target_code IS DISTINCT FROM 'rank_' || lower(index_code)
    UNION ALL
    SELECT 'rankings.csv: ' || index_code || ': listed ' || count(*) || ' times'
    FROM catalogue_rankings_file
    GROUP BY index_code
    HAVING count(*) > 1
    UNION ALL
    SELECT 'rankings.csv: ' || index_code || ': label_vi, label_en, publisher and description are required'
    FROM catalogue_rankings_file
    WHERE coalesce(label_vi, '') = '' OR coalesce(label_en, '') = '' OR coalesce(publisher, '') = ''
        OR coalesce(description, '') = ''
    UNION ALL
    SELECT 'rankings.csv: ' || target_code || ': the code is taken by a metric code'
    FROM catalogue_rankings_file
    WHERE target_code IN (SELECT metric_code FROM meta.metric_catalogue)
)
SELECT CASE
    WHEN count(*) > 0 THEN error(
        'the metric catalogue (reform_pipeline/catalogue) is not valid: ' || string_agg(problem, '; ' ORDER BY problem))
END
FROM problems;

CREATE OR REPLACE TABLE meta.ranking_indices AS
SELECT index_code, target_code, label_vi, label_en, publisher, description, display_order
FROM catalogue_rankings_file
ORDER BY display_order;

DROP TABLE catalogue_rankings_file;
