-- docs/spec §3: a REFORM_AS_OF before the earliest received date of a valid dossier (accepted or
-- not) stops the run. Read only when REFORM_AS_OF is set.
SELECT CAST(min(received_at) AS DATE) FROM staging.dossier_rows WHERE reason IS NULL
