-- Every unit × every unit of its subtree, with the distance between them (docs/spec §2.3), as
-- ingest/tree.py computed it: three lists bound as parameters.
DELETE FROM staging.unit_closure;

INSERT INTO staging.unit_closure SELECT unnest($ancestors), unnest($descendants), unnest($distances);
