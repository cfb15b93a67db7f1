-- docs/spec §5.2 mart.provinces: one row per province of the national build's list, whether its
-- numbers are current, previous or missing, and the as-of date and build time of the numbers
-- shown. The rows are inserted by reform_pipeline/national/build.py, values bound as parameters.
CREATE TABLE national.mart.provinces (
    province_code VARCHAR,
    province_name VARCHAR,
    status VARCHAR,
    note VARCHAR,
    problem VARCHAR,
    numbers_from VARCHAR,
    as_of DATE,
    built_at TIMESTAMP WITH TIME ZONE,
    bi_db VARCHAR,
    last_run_status VARCHAR,
    last_run_id VARCHAR,
    tables_taken INTEGER,
    rows_taken BIGINT
);
