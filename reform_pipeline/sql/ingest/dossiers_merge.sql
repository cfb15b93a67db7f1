-- Nightly merge (docs/spec §2.1 latest-version rule, dossier_version() in ingest/macros.sql): only the dossiers in this run's new exports are
-- touched, so the cost follows the size of the new files, not of the history. The current row
-- of a dossier is already the latest of its older versions, so comparing it with the newest
-- new version is enough. The winner of each dossier is flagged is_latest in
-- staging.dossier_rows, and the row it replaces unflagged, both by rowid.
-- A join whose build side has at most this many rows gives the scan of its probe side the list
-- of its keys, not only their range, and the scan skips every row group that holds none of them
-- (DuckDB's default: 50). The searches below, by key and by rowid, then read the row groups of
-- the few old dossiers a nightly export updates, not the whole history between them and the
-- recent ones: with the range alone, one update of a dossier of the first month stretches the
-- range, and the scans, over the whole history. The list is checked against every row group,
-- so a long one costs more than it saves: larger merges keep the range
-- (docs/decisions/0001-dossier-key-and-nightly-merge.md).
SET dynamic_or_filter_threshold = 20000;

CREATE OR REPLACE TEMP TABLE dossier_candidates AS
SELECT rowid AS candidate_rowid, dossier_id, dossier_key, updated_at, source_file, row_number
FROM staging.dossier_rows
-- batch_seq >= $first_batch (the smallest batch number of the files merged) only lets the zone
-- maps skip the row groups of the history; the file names decide
WHERE reason IS NULL AND batch_seq >= $first_batch AND source_file IN (SELECT file_name FROM ingest_batch)
QUALIFY row_number() OVER (
    PARTITION BY dossier_id ORDER BY dossier_version(updated_at, source_file, row_number) DESC
) = 1;

-- The current rows of those dossiers: the only part of the merge that reads the history. It
-- reads the integer dossier_key (id_key of the dossier_id) of the flagged rows, not the ids
-- themselves, whose pass over a large history is several times slower
-- (docs/decisions/0001-dossier-key-and-nightly-merge.md). The rows whose key matches are
-- then fetched by rowid and compared on the dossier_id, since two ids can share a hash.
CREATE OR REPLACE TEMP TABLE dossier_key_matches AS
SELECT keyed.rowid AS matched_rowid
FROM staging.dossier_rows AS keyed
SEMI JOIN dossier_candidates AS candidate ON keyed.dossier_key = candidate.dossier_key
WHERE keyed.is_latest;

-- Fetched by rowid alone first, so that no plan can read every stored id before the rowid
-- filter applies; the ids are compared in the next statement.
CREATE OR REPLACE TEMP TABLE dossier_key_rows AS
SELECT rowid AS current_rowid, dossier_id, updated_at, source_file, row_number
FROM staging.dossier_rows
WHERE rowid IN (SELECT matched_rowid FROM dossier_key_matches);

CREATE OR REPLACE TEMP TABLE dossier_current AS
SELECT current.*
FROM dossier_key_rows AS current
SEMI JOIN dossier_candidates AS candidate ON current.dossier_id = candidate.dossier_id;

CREATE OR REPLACE TEMP TABLE dossier_winners AS
SELECT candidate.candidate_rowid, current.current_rowid
FROM dossier_candidates AS candidate
LEFT JOIN dossier_current AS current ON current.dossier_id = candidate.dossier_id
WHERE current.dossier_id IS NULL
   OR dossier_version(candidate.updated_at, candidate.source_file, candidate.row_number)
    > dossier_version(current.updated_at, current.source_file, current.row_number);

UPDATE staging.dossier_rows SET is_latest = FALSE
WHERE rowid IN (SELECT current_rowid FROM dossier_winners WHERE current_rowid IS NOT NULL);

UPDATE staging.dossier_rows SET is_latest = TRUE
WHERE rowid IN (SELECT candidate_rowid FROM dossier_winners);

RESET dynamic_or_filter_threshold;
