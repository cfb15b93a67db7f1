-- The BI file's tables (docs/spec §5), written into the attached database `bi` (a temporary file that
-- replaces the published one only once everything is written). No personal data, no raw rows:
-- every table below lists its columns, and none of them comes from the applicant columns or
-- from meta.quarantine.raw_values.
CREATE SCHEMA bi.mart;

-- units: the tree with its history (docs/spec §2.3, §2.6) and each unit's current unit at the
-- as-of date (§4.7); alive_at_as_of tells today's tree from the units that ended.
CREATE TABLE bi.mart.units AS
SELECT agency_code, agency_name, kind, parent_code, depth, valid_from, valid_to, successor_code,
       current_code, admin_code, alive AS alive_at_as_of
FROM model.units
ORDER BY depth, agency_code;

CREATE TABLE bi.mart.dossier_facts AS
SELECT dossier_id, procedure_code, agency_code, current_agency_code, channel, service_level, status, received_date,
       due_date, end_date, fee_amount, paid_online, digitized_components, result_attached,
       rating, complaint, elapsed_wd, allowed_wd, outcome
FROM model.dossier_facts;

-- unit_metrics: the tree as it was (a dossier counts for the unit that received it and that unit's
-- ancestors), dense over each unit's life; unit_metrics_current: the same history restated on the
-- units alive at the as-of date (docs/spec §4.7).
CREATE TABLE bi.mart.unit_metrics AS
SELECT scope_code, scope_name, period_type, period_start, period_end, metric_code,
       numerator, denominator, value
FROM model.unit_metrics;

CREATE TABLE bi.mart.unit_metrics_current AS
SELECT scope_code, scope_name, period_type, period_start, period_end, metric_code,
       numerator, denominator, value
FROM model.unit_metrics_current;

CREATE TABLE bi.mart.index_766 AS
SELECT scope_code, scope_name, period_type, period_start, period_end, indicator_code,
       indicator_group, rate, max_points, threshold, points, score_100
FROM score.index_766;

CREATE TABLE bi.mart.scorecard AS
SELECT plan_id, scope_code, scope_name, year, kpi_code, comparator, target, value, numerator,
       denominator, status, as_of, source, tree, value_source
FROM score.scorecard;

-- docs/spec §2.7: the province's national rankings as published, with the index's labels and
-- publisher from the catalogue (reform_pipeline/catalogue/rankings.csv).
CREATE TABLE bi.mart.rankings AS
SELECT ranking.index_code, indices.target_code, indices.label_vi, indices.label_en, ranking.year,
       ranking.scope_code, unit.agency_name AS scope_name, ranking.score, ranking.rank,
       ranking.provinces_ranked, ranking.basis, ranking.source
FROM staging.rankings AS ranking
JOIN meta.ranking_indices AS indices USING (index_code)
LEFT JOIN staging.agencies AS unit ON unit.agency_code = ranking.scope_code
ORDER BY indices.display_order, ranking.year, ranking.scope_code;

-- docs/spec §5 mart.metric_catalogue: the labels and definitions every code of the other tables
-- refers to, from the metric catalogue (reform_pipeline/catalogue): the metric codes of §4.4, then
-- the indicators of §4.5 (an indicator's value is a rate; its points are in mart.index_766).
-- sort_order lists them in the contract's order.
CREATE TABLE bi.mart.metric_catalogue AS
SELECT
    metric_code,
    label_vi,
    label_en,
    kind,
    description,
    CAST(NULL AS VARCHAR) AS indicator_group,
    CAST(NULL AS VARCHAR) AS indicator_group_en,
    CAST(NULL AS VARCHAR) AS rate_metric_code,
    CAST(NULL AS INTEGER) AS max_points,
    CAST(NULL AS DECIMAL(4, 2)) AS threshold,
    display_order AS sort_order
FROM meta.metric_catalogue
UNION ALL
SELECT
    indicator_code,
    label_vi,
    label_en,
    'rate',
    description,
    indicator_group,
    indicator_group_en,
    rate_metric_code,
    max_points,
    threshold,
    CAST((SELECT count(*) FROM meta.metric_catalogue) + display_order AS INTEGER)
FROM meta.index_766_indicators
UNION ALL
-- the rank targets of §2.7: kind rank (lower is better)
SELECT
    target_code,
    label_vi,
    label_en,
    'rank',
    description,
    CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR),
    CAST(NULL AS VARCHAR),
    CAST(NULL AS INTEGER),
    CAST(NULL AS DECIMAL(4, 2)),
    CAST((SELECT count(*) FROM meta.metric_catalogue) + (SELECT count(*) FROM meta.index_766_indicators)
         + display_order AS INTEGER)
FROM meta.ranking_indices
ORDER BY sort_order;

CREATE TABLE bi.mart.quarantine_summary AS
SELECT source_file, reason, count(*) AS rows, any_value(kind) AS kind
FROM meta.quarantine
GROUP BY source_file, reason
ORDER BY source_file, reason;

-- docs/spec §5 run_info: built_at carries its time zone (TIMESTAMPTZ: the instant, shown in the
-- reader's zone); per input file its status (ingested, duplicate, unreadable, `unreadable
-- (previous version kept)`, skipped), counts, unknown columns, ignored sheets and the reason of a
-- skipped or unreadable file (never a cell of the file: docs/spec §2.0).
CREATE TABLE bi.mart.run_info AS
SELECT
    (SELECT as_of FROM meta.run_context) AS as_of,
    (SELECT as_of_source FROM meta.run_context) AS as_of_source,
    get_current_timestamp() AS built_at,
    list(struct_pack(
        name := file_name, kind := kind,
        status := CASE WHEN status = 'unreadable' AND coalesce(previous_version_kept, FALSE)
                       THEN 'unreadable (previous version kept)' ELSE status END,
        rows_read := rows_read,
        rows_quarantined := rows_quarantined, unknown_columns := unknown_columns,
        ignored_sheets := coalesce(ignored_sheets, CAST([] AS VARCHAR[])),
        reason := CASE WHEN status IN ('skipped', 'unreadable') THEN message END,
        previous_version_kept := coalesce(previous_version_kept, FALSE),
        message := message)
        ORDER BY kind, file_name) AS files
FROM meta.input_files;
