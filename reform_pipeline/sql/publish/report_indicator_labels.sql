-- The scorecard page (docs/spec §5): the label of every 766 indicator and the name of its group
-- in Vietnamese and English (docs/spec §4.5), from the metric catalogue, in the decision's order.
-- The groups are shown in the order of their first indicator.
SELECT indicator_code, label_vi, label_en, indicator_group, indicator_group_en
FROM meta.index_766_indicators
ORDER BY display_order
