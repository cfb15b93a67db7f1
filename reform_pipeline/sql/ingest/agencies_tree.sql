-- What ingest/tree.py found (docs/spec §2.3), as tables for ingest/agencies_store.sql: the units
-- it rejects, with their reason, and the depth of every unit it keeps. Lists bound as parameters
-- and unnested: one statement per table, whatever the tree's size.
CREATE OR REPLACE TEMP TABLE agency_tree_rejects AS SELECT unnest($rejected_codes) AS agency_code, unnest($reasons) AS reason;

CREATE OR REPLACE TEMP TABLE agency_depths AS SELECT unnest($kept_codes) AS agency_code, CAST(unnest($depths) AS INTEGER) AS depth;
