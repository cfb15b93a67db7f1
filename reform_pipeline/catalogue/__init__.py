"""The metric catalogue: every metric code and 766 indicator, written down once (docs/spec §4.4,
§4.5, §5 mart.metric_catalogue).

``metrics.csv`` holds one row per metric code of ``model.unit_metrics``: its kind (``count``,
``rate``, ``working_days``), Vietnamese and English labels and a one-line definition.
``rankings.csv`` holds one row per national ranking a plan may name (PAR Index, PCI, PAPI, DTI,
SIPAS): its target code (``rank_par`` …), labels and publisher (``meta.ranking_indices``).
``index_766.csv`` holds one row per indicator of the 766-style index: labels, group (Vietnamese
and English), the rate it scores, its maximum points and threshold. ``load_catalogue`` copies
both into the warehouse (``meta.metric_catalogue``, ``meta.index_766_indicators``), where every
stage reads them: nothing else in the pipeline lists the codes. docs/metrics.md says how to add a
metric.
"""

from __future__ import annotations

from contextlib import ExitStack
from importlib import resources
from pathlib import Path

import duckdb

from reform_pipeline.warehouse import run_sql_file

CATALOGUE_PACKAGE = "reform_pipeline.catalogue"
METRICS_FILE = "metrics.csv"
INDICATORS_FILE = "index_766.csv"
RANKINGS_FILE = "rankings.csv"


def load_catalogue(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> None:
    """(Re)create ``meta.metric_catalogue`` and ``meta.index_766_indicators`` from the package's
    CSV files, or from those of ``folder``. An invalid row stops with a message naming every
    problem, and leaves the previous tables as they were."""
    with ExitStack() as stack:
        files = resources.files(CATALOGUE_PACKAGE)
        # a real path for DuckDB to read, even from a zipped installation
        rankings = stack.enter_context(resources.as_file(files.joinpath(RANKINGS_FILE)))
        if folder is None:
            metrics = stack.enter_context(resources.as_file(files.joinpath(METRICS_FILE)))
            indicators = stack.enter_context(resources.as_file(files.joinpath(INDICATORS_FILE)))
        else:
            metrics, indicators = Path(folder) / METRICS_FILE, Path(folder) / INDICATORS_FILE
            if (Path(folder) / RANKINGS_FILE).exists():
                rankings = Path(folder) / RANKINGS_FILE
        run_sql_file(con, "ingest/metric_catalogue", {"metrics_file": str(metrics), "indicators_file": str(indicators)})
        run_sql_file(con, "ingest/ranking_catalogue", {"rankings_file": str(rankings)})
