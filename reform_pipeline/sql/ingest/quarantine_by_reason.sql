-- The dossier rows in quarantine by reason code (docs/spec §2.1), shown with the dossiers asset.
SELECT reason, count(*) FROM meta.quarantine WHERE kind = 'dossiers' GROUP BY reason ORDER BY reason
