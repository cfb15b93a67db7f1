-- The page's "national rankings" table and the latest published rank beside a rank target without
-- one (docs/spec §2.7): every row of staging.rankings with its index's labels from the catalogue
-- (meta.ranking_indices), by the catalogue's order of the indices, the latest year first.
SELECT ranking.index_code, indices.target_code, indices.label_vi, indices.label_en, ranking.year,
       ranking.scope_code, ranking.score, ranking.rank, ranking.provinces_ranked, ranking.basis,
       ranking.source
FROM staging.rankings AS ranking
JOIN meta.ranking_indices AS indices USING (index_code)
ORDER BY indices.display_order, ranking.year DESC, ranking.scope_code
