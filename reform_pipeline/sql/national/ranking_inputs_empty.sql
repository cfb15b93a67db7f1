-- The inputs of the national 766 ranking when no province brought the tables it reads
-- (mart.units, mart.index_766): every province is then unranked (docs/spec §5.2).
CREATE OR REPLACE TEMP TABLE national_roots (
    province_code VARCHAR, scope_code VARCHAR, scope_name VARCHAR
);

CREATE OR REPLACE TEMP TABLE national_month_totals (
    province_code VARCHAR, period_start DATE, period_end DATE, points DECIMAL(9, 2),
    max_points INTEGER, score_100 DECIMAL(5, 2), full_max_points INTEGER
);
