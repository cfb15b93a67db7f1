# Two commands on a fresh machine: `make run` and `make test` (README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Old DuckDB client used by the tests to prove BI tools can open the published file (docs/spec §5).
DUCKDB_OLD := 1.1.3
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup browser postgres run test ui sample bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "reform_pipeline needs Python 3.11: set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --target $(VENV)/duckdb-old duckdb==$(DUCKDB_OLD)
	touch $(STAMP)

# The page tests open the scorecard page in the Debian package chromium, driven by Playwright
# (reform_pipeline_tests/publish/test_page_in_browser.py): installed here where it is missing
# (CI runs `make test` as root on a fresh Debian), never skipped; without apt-get, stop and say so.
CHROMIUM_PACKAGES := chromium fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { \
	    echo "make test needs Chromium for the page tests, and apt-get is not available: install chromium and put it on the PATH" >&2; \
	    exit 1; }; \
	  echo "installing $(CHROMIUM_PACKAGES) for the page tests"; \
	  $(APT_GET) install -y --no-install-recommends $(CHROMIUM_PACKAGES) \
	    || { $(APT_GET) update && $(APT_GET) install -y --no-install-recommends $(CHROMIUM_PACKAGES); }; }

# The tests of the distributed deployment (deploy/postgres/dagster.yaml) start a throwaway
# PostgreSQL server of their own (reform_pipeline_tests/postgres.py) from the Debian package
# postgresql's binaries in /usr/lib/postgresql/<version>/bin: installed here where they are
# missing, as chromium above, never skipped; without apt-get, stop and say so.
POSTGRES_PACKAGES := postgresql

postgres:
	@ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/pg_ctl /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { \
	    echo "make test needs a PostgreSQL server (initdb, pg_ctl, postgres under /usr/lib/postgresql/*/bin), and apt-get is not available: install the Debian package postgresql or its equivalent" >&2; \
	    exit 1; }; \
	  echo "installing $(POSTGRES_PACKAGES) for the PostgreSQL storage tests"; \
	  $(APT_GET) install -y --no-install-recommends $(POSTGRES_PACKAGES) \
	    || { $(APT_GET) update && $(APT_GET) install -y --no-install-recommends $(POSTGRES_PACKAGES); }; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	    echo "installing $(POSTGRES_PACKAGES) left no initdb under /usr/lib/postgresql/*/bin" >&2; exit 1; }; }

$(DAGSTER_HOME)/dagster.yaml: deploy/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp deploy/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

run: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m reform_pipeline.run

test: setup browser postgres
	$(BIN)/python -m pytest

ui: setup $(DAGSTER_HOME)/dagster.yaml
	exec $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# The provinces deployment (docs/deploy.md, docs/spec §3.1): every province of the provinces file
# a partition, built through the daemon's run queue, PARALLEL runs at once.
REFORM_PROVINCES_DIR ?= $(CURDIR)/data/provinces
PROVINCES_HOME ?= $(CURDIR)/.dagster_home_provinces
PARALLEL ?= 2

provinces-home:
	@case '$(PARALLEL)' in ''|*[!0-9]*|0) echo "PARALLEL=$(PARALLEL) is not a number of runs (1 or more)" >&2; exit 2;; esac
	mkdir -p $(PROVINCES_HOME) $(REFORM_PROVINCES_DIR)
	sed 's/^    max_concurrent_runs: .*/    max_concurrent_runs: $(PARALLEL)/' deploy/provinces/dagster.yaml > $(PROVINCES_HOME)/dagster.yaml

provinces-ui: setup provinces-home
	DAGSTER_HOME=$(PROVINCES_HOME) REFORM_PROVINCES_DIR=$(REFORM_PROVINCES_DIR) exec $(BIN)/dagster dev -w deploy/provinces/workspace.yaml -h 127.0.0.1 -p 3000

sample: setup
	$(BIN)/python -m reform_pipeline.sample --out data/raw --manifest data/sample_manifest.json

clean:
	rm -rf data/warehouse data/bi .dagster_home .dagster_home_provinces
