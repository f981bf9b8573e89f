# Two commands for a fresh machine: `make demo` and `make test`. Both create their own venv.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= data/demo
DEMO_MEMBERS ?= 20000
DEMO_YEAR ?= 2025

.PHONY: setup demo test ui conformance clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/hmoqa generate --members $(DEMO_MEMBERS) --years 3 --end-year $(DEMO_YEAR) --seed 42 --out $(DEMO_DIR)/landing
	$(BIN)/hmoqa run --input $(DEMO_DIR)/landing --db $(DEMO_DIR)/hmoqa.duckdb \
		--measurement-year $(DEMO_YEAR) --output $(DEMO_DIR)/output
	@echo "Results: DuckDB $(DEMO_DIR)/hmoqa.duckdb, pages and exports in $(DEMO_DIR)/output"
	@echo "Browse the assets: make ui"

test: setup
	$(BIN)/pytest

# The Dagster UI on the demo data. One run at a time: DuckDB has one writer.
ui: setup
	mkdir -p $(DEMO_DIR)/dagster_home
	cp deploy/dagster.yaml $(DEMO_DIR)/dagster_home/dagster.yaml
	DAGSTER_HOME=$(abspath $(DEMO_DIR)/dagster_home) \
	HMOQA_LANDING_DIR=$(DEMO_DIR)/landing HMOQA_DB=$(DEMO_DIR)/hmoqa.duckdb \
	HMOQA_OUTPUT_DIR=$(DEMO_DIR)/output \
	$(BIN)/dagster dev -w workspace.yaml

# The CMS eCQM test cases against the engine (reference data read in place from ../shared).
SHARED ?= ../shared
conformance: setup
	$(BIN)/hmoqa conformance --cases $(SHARED)/conformance/ecqm --valuesets $(SHARED)/valuesets

clean:
	rm -rf $(VENV) data .pytest_cache
