"""What every asset of the pipeline shares: owners, kinds.

Every asset writes the one warehouse file, which one run at a time holds: the warehouse
resource takes the run lock when a run starts (reform_pipeline/warehouse_access.py).
"""

OWNERS = ["team:provincial-data"]
DUCKDB_KINDS = {"duckdb"}
