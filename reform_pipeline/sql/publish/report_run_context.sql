-- The as-of date of the run and how it was chosen (docs/spec §3), for the page's "about the data".
SELECT as_of, as_of_source FROM meta.run_context
