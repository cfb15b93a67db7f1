-- The run's as-of date and where it came from (docs/spec §3), read by every later stage.
DELETE FROM meta.run_context;

INSERT INTO meta.run_context VALUES ($as_of, $source, current_localtimestamp());
