-- The unit and procedure codes the stored dossier rows were checked against, as one hash: when it
-- changes, the rows are checked again (docs/spec §2.1: "exists" means among valid rows).
SELECT md5(coalesce((SELECT string_agg(agency_code, ',' ORDER BY agency_code) FROM staging.agencies), '') || '|' || coalesce((SELECT string_agg(procedure_code, ',' ORDER BY procedure_code) FROM staging.procedures), ''))
