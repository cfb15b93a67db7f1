"""What every asset of the pipeline shares: owners, the DuckDB pool, kinds."""

OWNERS = ["team:provincial-data"]
# Every asset writes the one warehouse file: one writer at a time (dagster.yaml sets the limit).
WAREHOUSE_POOL = "duckdb_warehouse"
DUCKDB_KINDS = {"duckdb"}
