-- Labels and kinds of the national page's metric codes, from the provinces' metric catalogues
-- (mart.metric_catalogue, docs/spec §5): the first province's by code where versions differ.
-- $metrics: the metric codes shown.
SELECT metric_code,
       arg_min(label_vi, province_code) AS label_vi,
       arg_min(label_en, province_code) AS label_en,
       arg_min(kind, province_code) AS kind
FROM national.mart.metric_catalogue
WHERE list_contains($metrics, metric_code)
GROUP BY metric_code
