-- The scorecard page, Markdown and terminal table (docs/spec §5, "The scorecard page"): the label
-- and kind of every metric code (docs/spec §4.4), from the metric catalogue loaded at ingest, in
-- the contract's order, then the rank targets of the national rankings (docs/spec §2.7, kind
-- rank). A code missing here is shown by its code, as a rate.
SELECT metric_code, label_vi, label_en, kind
FROM (
    SELECT metric_code, label_vi, label_en, kind, display_order FROM meta.metric_catalogue
    UNION ALL
    SELECT target_code, 'Xếp hạng ' || label_vi, 'Rank in the ' || label_en, 'rank',
           (SELECT count(*) FROM meta.metric_catalogue) + display_order
    FROM meta.ranking_indices
)
ORDER BY display_order
