-- The scorecard page, Markdown and terminal table (docs/spec §5, "The scorecard page"): the label
-- and kind of every metric code (docs/spec §4.4), from the metric catalogue loaded at ingest, in
-- the contract's order. A code missing here is shown by its code, as a rate.
SELECT metric_code, label_vi, label_en, kind
FROM meta.metric_catalogue
ORDER BY display_order
