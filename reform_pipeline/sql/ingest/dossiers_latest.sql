-- The latest valid version of every dossier (docs/spec §2.1), full rebuild: used on the first
-- run, after a re-check, or when an export file was replaced.
--
-- The rule's definition is dossier_version() (ingest/macros.sql), which the nightly merge uses.
-- In its plain form the rebuild would be
--     SELECT arg_max(rowid, dossier_version(updated_at, source_file, row_number))
--     FROM staging.dossier_rows WHERE reason IS NULL GROUP BY dossier_id
-- The packed key below stands in for it: the same order (updated_at, a missing one first; then
-- the export name, by its rank among the names; then the row number), faster.
--
-- The order is packed into one HUGEINT per row, so that the newest row of a dossier is a
-- grouped arg_max over fixed-size values (no strings in the aggregate state), and the winning
-- rows are then flagged by rowid (one integer key) instead of a join on three columns. Both
-- this and flagging the winners instead of copying them into a table of their own made the
-- rebuild much faster (docs/decisions/0002-latest-version-flag.md).
--   version = updated_at in epoch microseconds (a missing one: below any timestamp) × 2^64
--           + the file's place among the export names (1, 2, …) × 2^40
--           + row_number
-- This is exact while a file holds fewer than 2^40 rows and there are fewer than 2^24 exports.
UPDATE staging.dossier_rows SET is_latest = FALSE WHERE is_latest;

UPDATE staging.dossier_rows SET is_latest = TRUE
WHERE rowid IN (
    WITH file_ranks AS (
        SELECT source_file, CAST(row_number() OVER (ORDER BY source_file) AS HUGEINT) AS file_rank
        FROM (SELECT DISTINCT source_file FROM staging.dossier_rows)
    ),
    newest AS (
        SELECT
            arg_max(
                version_row.rowid,
                CAST(coalesce(epoch_us(version_row.updated_at), -9223372036854775807) AS HUGEINT)
                    * CAST(18446744073709551616 AS HUGEINT)
                + file_ranks.file_rank * 1099511627776
                + version_row.row_number
            ) AS newest_rowid
        FROM staging.dossier_rows AS version_row
        JOIN file_ranks USING (source_file)
        WHERE version_row.reason IS NULL
        GROUP BY version_row.dossier_id
    )
    SELECT newest_rowid FROM newest
);
