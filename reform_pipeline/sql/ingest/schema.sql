-- The warehouse's ingest tables (docs/architecture.md). Created once; later runs keep them.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS model;
CREATE SCHEMA IF NOT EXISTS score;

CREATE TABLE IF NOT EXISTS meta.input_files (
    file_name VARCHAR, kind VARCHAR, sha256 VARCHAR, size_bytes BIGINT, modified_at TIMESTAMP,
    status VARCHAR, message VARCHAR, rows_read BIGINT, rows_quarantined BIGINT,
    unknown_columns VARCHAR[], ingested_at TIMESTAMP,
    merged BOOLEAN,
    -- the validation batch that wrote a dossier export's rows (staging.dossier_rows.batch_seq)
    batch_seq BIGINT,
    -- the sheets of a workbook that were not read (docs/spec §2.0 "Sheets", §5 run_info)
    ignored_sheets VARCHAR[],
    -- TRUE: the file is unreadable or skipped now and the rows of its last readable version stay
    -- in use, counted under its name (docs/spec §2.0, "A file that breaks later")
    previous_version_kept BOOLEAN DEFAULT FALSE);
-- The reader used was never written (always NULL): gone from warehouses that still have it.
ALTER TABLE meta.input_files DROP COLUMN IF EXISTS reader;
-- Warehouses written before these columns existed get them.
ALTER TABLE meta.input_files ADD COLUMN IF NOT EXISTS ignored_sheets VARCHAR[];
ALTER TABLE meta.input_files ADD COLUMN IF NOT EXISTS previous_version_kept BOOLEAN DEFAULT FALSE;

-- Numbers the validation batches: each statement that writes dossier rows takes the next one.
CREATE SEQUENCE IF NOT EXISTS meta.dossier_batches;

CREATE TABLE IF NOT EXISTS meta.quarantine (
    kind VARCHAR, source_file VARCHAR, row_number BIGINT, reason VARCHAR, raw_values VARCHAR);

CREATE TABLE IF NOT EXISTS meta.run_context (
    as_of DATE, as_of_source VARCHAR, run_started_at TIMESTAMP);

-- What the last merge recorded for the next one (ingest/merge.py, IngestState).
CREATE TABLE IF NOT EXISTS meta.ingest_state (
    -- the unit and procedure codes the stored rows were checked against (docs/spec §2.1)
    reference_fingerprint VARCHAR,
    -- TRUE when stored rows were removed or re-checked since: the next merge rebuilds in full
    needs_full_rebuild BOOLEAN,
    -- The latest date among valid dossier rows (docs/spec §3's default as-of), kept up to date
    -- by each merge so that a nightly run need not scan the whole history for it.
    latest_data_date DATE,
    -- id_key() of a fixed id when the stored dossier keys were computed: a DuckDB whose hash, or
    -- a pipeline whose key, differs recomputes them before it relies on them (ingest/merge.py).
    dossier_key_hash UBIGINT,
    -- TRUE once the quarantine counts of the dossier exports in meta.input_files follow every
    -- re-check (ingest/dossier_quarantine_counts.sql; docs/spec §5 run_info). NULL on a
    -- warehouse written before they did, whose counts may be those of the ingest: its next run
    -- counts them again, once.
    quarantine_counts_current BOOLEAN);

-- The last readable version of each reference file (docs/spec §2.0, "A file that breaks later"):
-- a reference file is read whole every run, so when it turns unreadable its previous bytes are
-- read instead. Reference files hold no personal data.
CREATE TABLE IF NOT EXISTS meta.reference_copies (
    file_name VARCHAR PRIMARY KEY, kind VARCHAR, sha256 VARCHAR, content BLOB);

CREATE TABLE IF NOT EXISTS staging.agencies (
    agency_code VARCHAR, agency_name VARCHAR, kind VARCHAR, parent_code VARCHAR,
    admin_code VARCHAR, valid_from DATE, valid_to DATE, depth INTEGER);

-- The province's national rankings (docs/spec §2.7), one row per index, year and unit.
CREATE TABLE IF NOT EXISTS staging.rankings (
    index_code VARCHAR, year INTEGER, scope_code VARCHAR, score DOUBLE, rank INTEGER,
    provinces_ranked INTEGER, basis INTEGER, source VARCHAR);

-- Who took over an ended unit (docs/spec §2.6): one row per ended unit.
CREATE TABLE IF NOT EXISTS staging.unit_changes (
    agency_code VARCHAR, successor_code VARCHAR, effective_date DATE);

CREATE TABLE IF NOT EXISTS staging.unit_closure (
    ancestor_code VARCHAR, descendant_code VARCHAR, distance INTEGER);

CREATE TABLE IF NOT EXISTS staging.procedures (
    procedure_code VARCHAR, procedure_name VARCHAR, field VARCHAR, agency_code VARCHAR,
    service_level INTEGER, full_online_eligible BOOLEAN, processing_days INTEGER,
    declared_fields INTEGER, declared_fields_baseline INTEGER);

-- Every dossier row of every ingested export, valid or not (reason, intrinsic_reason: see
-- ingest/dossier_rows.sql), with the row's personal data (docs/spec §5: the warehouse holds it; the
-- BI file never does).
CREATE TABLE IF NOT EXISTS staging.dossier_rows (
    dossier_id VARCHAR, procedure_code VARCHAR, agency_code VARCHAR,
    channel INTEGER, service_level INTEGER, status INTEGER,
    submitted_at TIMESTAMP, received_at TIMESTAMP, due_at TIMESTAMP, finished_at TIMESTAMP,
    returned_at TIMESTAMP, supplement_requested_at TIMESTAMP, supplement_received_at TIMESTAMP,
    supplement_count INTEGER, fee_amount BIGINT, paid_online INTEGER,
    digitized_components BOOLEAN, result_attached BOOLEAN, rating INTEGER, complaint BOOLEAN,
    updated_at TIMESTAMP,
    source_file VARCHAR, row_number BIGINT,
    dates_inconsistent BOOLEAN, reason VARCHAR, raw_values VARCHAR,
    intrinsic_reason VARCHAR,
    applicant_name VARCHAR, applicant_id_number VARCHAR, applicant_phone VARCHAR,
    applicant_address VARCHAR,
    -- TRUE on the row that is its dossier's latest valid version (ingest/dossiers_latest.sql,
    -- dossiers_merge.sql)
    is_latest BOOLEAN DEFAULT FALSE,
    -- id_key(dossier_id) (ingest/macros.sql): the nightly merge looks the current rows of the new
    -- dossiers up by this integer instead of reading every stored dossier_id
    -- (ingest/dossiers_merge.sql)
    dossier_key UBIGINT,
    -- the validation batch that wrote the row (meta.dossier_batches; 0: written before batches
    -- were numbered). Rows are appended, so the row groups of older batches hold only smaller
    -- numbers: a nightly run finds its new rows by this integer, whose zone maps skip the
    -- history, and not by source_file, whose zone maps keep only a prefix ("dossiers") that
    -- every export shares.
    batch_seq BIGINT DEFAULT 0);

-- The latest valid version of every dossier: the columns of staging.dossier_rows that describe
-- the dossier, on the rows flagged is_latest. A view, not a copy: writing the 10M latest rows
-- again cost more than flagging them (docs/decisions/0002-latest-version-flag.md).
CREATE OR REPLACE VIEW staging.dossiers AS
SELECT * EXCLUDE (dates_inconsistent, reason, raw_values, intrinsic_reason, applicant_name,
                  applicant_id_number, applicant_phone, applicant_address, is_latest, dossier_key,
                  batch_seq)
FROM staging.dossier_rows
WHERE is_latest;
