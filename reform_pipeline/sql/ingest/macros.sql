-- Value rules of docs/spec §2: timestamps, code lists, numbers and flags.
-- One definition per rule, used by every input kind. The rules take a *cleaned* cell (see
-- `cell`: trimmed, NULL when empty) and return NULL for a value they cannot read; the
-- validation files tell "empty" and "unreadable" apart.

-- trim(s), computed only where it can change something. DuckDB's trim removes the space and the
-- other Unicode space separators (U+00A0, U+3000, …), never any other ASCII character: an
-- all-ASCII cell (as many bytes as characters) that neither starts nor ends with a space is
-- already trimmed. That test costs a third of trim itself on codes, identifiers and timestamps
-- (docs/decisions/0004-validation-expressions.md).
CREATE OR REPLACE TEMP MACRO trimmed(s) AS
    CASE WHEN s LIKE ' %' OR s LIKE '% ' OR strlen(s) <> length(s) THEN trim(s) ELSE s END;

-- A cell's value: trimmed, NULL when it is missing or holds only white space.
CREATE OR REPLACE TEMP MACRO cell(s) AS nullif(trimmed(s), '');

-- A code or identifier: also NFC, so that a code typed with decomposed Vietnamese letters (NFD)
-- matches the same code typed precomposed.
CREATE OR REPLACE TEMP MACRO key_cell(s) AS nfc_normalize(nullif(trimmed(s), ''));

-- Text forms of codes are matched whole after trimming, collapsing inner spaces, lower-casing and
-- removing diacritics (đ → d) (docs/spec §2).
CREATE OR REPLACE TEMP MACRO norm_code(s) AS
    lower(strip_accents(replace(replace(
        regexp_replace(nfc_normalize(s), '\s+', ' ', 'g'), 'đ', 'd'), 'Đ', 'd')));

-- Timestamps: local Vietnam time, these forms and no others (docs/spec §2). The systems' own form
-- (19 characters, ISO) is tried first with strptime alone: at that length every field must have
-- its full width. Anything else goes through the exact patterns.
CREATE OR REPLACE TEMP MACRO parse_ts_text(s) AS coalesce(
    CASE WHEN length(s) = 19 THEN coalesce(
        try_strptime(s, '%Y-%m-%d %H:%M:%S'), try_strptime(s, '%Y-%m-%dT%H:%M:%S')) END,
    CASE
        WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}')
            THEN try_strptime(s, '%Y-%m-%d')
        WHEN regexp_full_match(s, '\d{1,2}/\d{1,2}/\d{4} \d{2}:\d{2}')
            THEN try_strptime(s, '%d/%m/%Y %H:%M')
        WHEN regexp_full_match(s, '\d{1,2}/\d{1,2}/\d{4}')
            THEN try_strptime(s, '%d/%m/%Y')
        WHEN regexp_full_match(s, '\d{1,2}/\d{1,2}/\d{4} \d{2}:\d{2}:\d{2}')
            THEN try_strptime(s, '%d/%m/%Y %H:%M:%S')
        WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}')
            THEN try_strptime(replace(s, 'T', ' '), '%Y-%m-%d %H:%M')
        WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\.\d{1,6}')
            THEN try_strptime(replace(s, 'T', ' '), '%Y-%m-%d %H:%M:%S.%f')
    END);

-- Years outside 2000–2099 cannot belong to a one-stop dossier: read as bad_timestamp
-- (docs/ingestion.md).
CREATE OR REPLACE TEMP MACRO ts_in_range(ts) AS
    CASE WHEN ts >= TIMESTAMP '2000-01-01' AND ts < TIMESTAMP '2100-01-01' THEN ts END;

-- Whether a dossier event (every dossier timestamp but due_at, the only one that may lie ahead)
-- is dated after `run_day`, the day the run starts in Vietnam: nothing has happened in the
-- future, so such a value is bad_timestamp (docs/spec §2.1), and a mistyped year (2099) cannot move
-- the default as-of date (docs/spec §3). `run_day` is a bound parameter, so the bound folds to one
-- constant per statement. NULL for a NULL timestamp.
CREATE OR REPLACE TEMP MACRO after_run_day(ts, run_day) AS
    ts >= CAST(run_day AS TIMESTAMP) + INTERVAL 1 DAY;

-- A dossier event timestamp as read: in range and not after the run's day, else NULL (read as
-- bad_timestamp, like an unreadable one).
CREATE OR REPLACE TEMP MACRO event_ts(ts, run_day) AS
    CASE WHEN NOT after_run_day(ts, run_day) THEN ts_in_range(ts) END;

-- A timestamp written the way the systems write it in CSV: the text of a typed Parquet value.
CREATE OR REPLACE TEMP MACRO ts_text(ts) AS strftime(ts, '%Y-%m-%d %H:%M:%S');

-- The raw text of a timestamp for the quarantine: the cell's text, else its typed value written.
CREATE OR REPLACE TEMP MACRO raw_ts(text, typed) AS coalesce(text, ts_text(typed));

-- A value counts as given when its cell has text or the file stores it typed (a read value):
-- an empty cell is not given, an unreadable one is (and breaks its rule).
CREATE OR REPLACE TEMP MACRO given(text, value) AS text IS NOT NULL OR value IS NOT NULL;

-- Codes, flags and whole numbers stored typed (Parquet integers; booleans arrive as 1/0): the
-- same lists and ranges as their text forms below, without a detour through text.
CREATE OR REPLACE TEMP MACRO typed_code(v, low, high) AS CASE WHEN v BETWEEN low AND high THEN v END;
CREATE OR REPLACE TEMP MACRO typed_flag(v) AS CASE v WHEN 1 THEN TRUE WHEN 0 THEN FALSE END;
-- whole_number's text allows at most 18 digits
CREATE OR REPLACE TEMP MACRO typed_whole_number(v) AS CASE WHEN v BETWEEN 0 AND 999999999999999999 THEN v END;
-- The raw text of a typed number for the quarantine: the cell's text, else its value written.
CREATE OR REPLACE TEMP MACRO raw_number(text, typed) AS coalesce(text, CAST(typed AS VARCHAR));

-- For small reference files; the dossier query applies the two steps in separate stages so that
-- each value is parsed once.
CREATE OR REPLACE TEMP MACRO parse_ts(s) AS ts_in_range(parse_ts_text(s));

-- 1 in person (trực tiếp), 2 online (trực tuyến), 3 postal (bưu chính công ích).
CREATE OR REPLACE TEMP MACRO channel_code(s) AS CASE
    WHEN s IN ('1', '2', '3') THEN CAST(s AS INTEGER)
    ELSE CASE norm_code(s)
        WHEN 'truc tiep' THEN 1 WHEN 'direct' THEN 1
        WHEN 'truc tuyen' THEN 2 WHEN 'online' THEN 2
        WHEN 'buu chinh cong ich' THEN 3 WHEN 'buu chinh' THEN 3 WHEN 'postal' THEN 3
    END
END;

-- 2 none (không), 3 partial online (một phần), 4 full online (toàn trình).
CREATE OR REPLACE TEMP MACRO service_level_code(s) AS CASE
    WHEN s IN ('2', '3', '4') THEN CAST(s AS INTEGER)
    ELSE CASE norm_code(s)
        WHEN 'khong' THEN 2 WHEN 'none' THEN 2
        WHEN 'mot phan' THEN 3 WHEN 'partial' THEN 3
        WHEN 'toan trinh' THEN 4 WHEN 'full' THEN 4
    END
END;

-- Dossier status 1–10 (trạng thái hồ sơ).
CREATE OR REPLACE TEMP MACRO status_code(s) AS CASE
    WHEN s IN ('1', '2', '3', '4', '5', '6', '7', '8', '9', '10') THEN CAST(s AS INTEGER)
    ELSE CASE norm_code(s)
        WHEN 'moi dang ky' THEN 1
        WHEN 'duoc tiep nhan' THEN 2
        WHEN 'khong duoc tiep nhan' THEN 3
        WHEN 'dang xu ly' THEN 4
        WHEN 'yeu cau bo sung' THEN 5
        WHEN 'cho thuc hien nghia vu tai chinh' THEN 6
        WHEN 'rut ho so' THEN 7
        WHEN 'dung xu ly' THEN 8
        WHEN 'da xu ly xong' THEN 9
        WHEN 'da tra ket qua' THEN 10
    END
END;

-- Rating 4 rất hài lòng, 3 hài lòng, 2 bình thường, 1 không hài lòng.
CREATE OR REPLACE TEMP MACRO rating_code(s) AS CASE
    WHEN s IN ('1', '2', '3', '4') THEN CAST(s AS INTEGER)
    ELSE CASE norm_code(s)
        WHEN 'rat hai long' THEN 4
        WHEN 'hai long' THEN 3
        WHEN 'binh thuong' THEN 2
        WHEN 'khong hai long' THEN 1
    END
END;

-- paid_online: 0 not online, 1 national portal, 2 provincial payment portal.
CREATE OR REPLACE TEMP MACRO paid_online_code(s) AS CASE
    WHEN s IN ('0', '1', '2') THEN CAST(s AS INTEGER)
END;

-- 0/1 flags also accept true/false and có/không.
CREATE OR REPLACE TEMP MACRO flag_value(s) AS CASE
    WHEN s = '1' THEN TRUE
    WHEN s = '0' THEN FALSE
    ELSE CASE norm_code(s) WHEN 'true' THEN TRUE WHEN 'co' THEN TRUE
                           WHEN 'false' THEN FALSE WHEN 'khong' THEN FALSE END
END;

-- result_attached: any value but 0 / false / không is true (a link counts); empty is false.
CREATE OR REPLACE TEMP MACRO attached_value(s) AS CASE
    WHEN s IS NULL THEN FALSE
    WHEN s = '1' THEN TRUE
    WHEN s = '0' THEN FALSE
    ELSE norm_code(s) NOT IN ('0', 'false', 'khong')
END;

-- Whole numbers ≥ 0: digits only (a spreadsheet's 150000.0 arrives already as 150000).
CREATE OR REPLACE TEMP MACRO whole_number(s) AS CASE
    WHEN regexp_full_match(s, '\+?[0-9]{1,18}') THEN CAST(s AS BIGINT)
END;

-- Rates and other targets: a plain decimal number, "." or "," as the decimal mark.
CREATE OR REPLACE TEMP MACRO decimal_number(s) AS CASE
    WHEN regexp_full_match(s, '[+-]?[0-9]{1,15}([.,][0-9]{1,12})?')
        THEN CAST(replace(s, ',', '.') AS DOUBLE)
END;

-- The integer a dossier is looked up by in the nightly merge (staging.dossier_rows.dossier_key).
-- An id in the one-stop systems' form `<unit code>-<yymmdd>-<4-digit number>` carries the day
-- the dossier was received: its key is that day (days since 1900-01-01) in the high bits and
-- the low 40 bits of hash(id) below. Rows are stored in export order, so the keys of a row group
-- span the days of the dossiers its exports touched, and the merge's join, whose key range
-- DuckDB pushes into the scan, skips the row groups older than the oldest dossier of the new
-- exports: the lookup reads the recent history, not all of it
-- (docs/decisions/0001-dossier-key-and-nightly-merge.md). Any other id gets hash(id) with the
-- top bit set, above every dated key (correct, only not skipped); a NULL id no key, so that
-- rejected rows without an id do not widen their row group's range. Two ids may share a key;
-- the merge compares the ids of the rows it finds. Only the last 11 characters are read: cheaper
-- than a regular expression for the date.
CREATE OR REPLACE TEMP MACRO id_key(id) AS coalesce(
    (CAST(date_diff('day', DATE '1900-01-01', CAST(try_strptime(substr(id, -11, 6), '%y%m%d') AS DATE))
        AS UBIGINT) << 40) | (hash(id) & CAST(1099511627775 AS UBIGINT)),
    CASE WHEN id IS NOT NULL THEN (hash(id) >> 1) | (CAST(1 AS UBIGINT) << 63) END);

-- The latest-version rule of docs/spec §2.1, its one definition: versions of a dossier are ordered
-- by updated_at (a missing one before any value), then export file name, then row number; the
-- last one stands, i.e. the version whose dossier_version() is the greatest. The nightly merge
-- orders and compares by it (ingest/dossiers_merge.sql); the full rebuild uses a packed integer
-- of the same order instead, faster over the whole history (ingest/dossiers_latest.sql).
CREATE OR REPLACE TEMP MACRO dossier_version(updated_at, source_file, row_number) AS
    struct_pack(u := coalesce(updated_at, TIMESTAMP '-infinity'), f := source_file, r := row_number);

-- One "key":value member of a JSON object, NULL (left out by concat_ws) when the key is NULL; a
-- NULL value is written as null. Keys and values are escaped as JSON strings.
CREATE OR REPLACE TEMP MACRO json_pair(key, value) AS
    CASE WHEN key IS NOT NULL THEN CAST(to_json(CAST(key AS VARCHAR)) AS VARCHAR) || ':'
        || coalesce(CAST(to_json(CAST(value AS VARCHAR)) AS VARCHAR), 'null') END;
