# The two commands a newcomer needs: `make run` and `make test`.
# Both create the project's virtual environment (.venv) on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Pipeline knobs (override on the command line: make run POLICIES=20000 BATCHES=10)
LAKE      ?= lake
POLICIES  ?= 5000
BATCHES   ?= 7
SEED      ?= 42
AS_OF     ?=
HUB       ?= auto
# pytest workers: test files are spread over them whole (a file's fixtures are built once)
WORKERS   ?= 2

.PHONY: help venv run generate test test-slow lint pytest test-terraform check-snowflake-sql \
	elementary-cli bench clean dashboard mf emulator bench-warehouse

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)  ## Create .venv and install the pinned dependencies

generate: venv  ## Generate the landing lake (BATCHES daily batches ending on AS_OF)
	$(BIN)/lakegen generate --out $(LAKE) --policies $(POLICIES) --batches $(BATCHES) \
		--seed $(SEED) $(if $(AS_OF),--as-of $(AS_OF))

run: venv  ## Run the pipeline end to end on DuckDB: generate, stage and build, batch by batch
	$(BIN)/warehouse run --lake $(LAKE) --policies $(POLICIES) --batches $(BATCHES) \
		--seed $(SEED) --hub $(HUB) $(if $(AS_OF),--as-of $(AS_OF))
	$(BIN)/lakegen verify --lake $(LAKE)

test: lint pytest test-terraform  ## Run every test (smoke scale for the heavy ones)

test-slow: lint test-terraform  ## Every test at full scale (the nightly run)
	WAREHOUSE_TEST_SCALE=large $(BIN)/pytest -n $(WORKERS) --dist loadfile --durations=20

lint: venv  ## ruff and mypy (Python), yamllint (dbt YAML, workflows), sqlfluff (models, analyses), secrets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/yamllint --strict .
	$(BIN)/sqlfluff lint models analyses
	git ls-files -z | xargs -0 $(BIN)/detect-secrets-hook --baseline .secrets.baseline

pytest: venv
	$(BIN)/pytest -n $(WORKERS) --dist loadfile --durations=15

test-terraform: venv  ## Static checks of terraform/ (fmt, checkov in its own venv)
	bash terraform/scripts/static_checks.sh

dashboard: venv  ## Serve the dashboard on the warehouse `make run` published (DBT_TARGET=prod: Snowflake)
	$(BIN)/warehouse dashboard $(if $(PORT),--port $(PORT))

# The project `make run` used last (root in full mode, offline/ in air-gapped mode).
MF_PROJECT = $(shell dirname $$(dirname $$(ls -t target/semantic_manifest.json \
	offline/target/semantic_manifest.json 2>/dev/null | head -1) 2>/dev/null) 2>/dev/null)

mf: venv  ## MetricFlow's CLI on the warehouse: make mf ARGS="query --metrics net_loss_ratio --group-by metric_time__year"
	cd $(or $(MF_PROJECT),.) && DBT_PROFILES_DIR=$(CURDIR) DUCKDB_PATH=$(CURDIR)/warehouse.duckdb \
		$(CURDIR)/$(BIN)/mf $(ARGS)

elementary-cli:  ## Install the Elementary CLI (edr) in .venv-edr, for the report in full mode
	bash scripts/edr_venv.sh

check-snowflake-sql: venv  ## Compile for Snowflake offline and check the SQL (also in make test)
	$(BIN)/warehouse check snowflake-sql

emulator: venv  ## Build the DAG on the Snowflake emulator (fakesnow) and compare every mart with DuckDB (also in make test)
	$(BIN)/warehouse check emulator

bench: venv  ## Generator throughput and peak memory at two scales
	$(BIN)/lakegen bench

# policies at each size of the warehouse benchmark (a quick run: BENCH_SIZES="2000 5000 20000")
BENCH_SIZES ?= 50000 200000 1000000

bench-warehouse: venv  ## Full build against the one-query floor, an increment, peak memory (BENCH_SIZES)
	BENCH_SIZES="$(BENCH_SIZES)" $(BIN)/warehouse bench

clean:  ## Remove generated data and build outputs (keeps .venv)
	rm -rf $(LAKE) bench target logs offline/target offline/logs warehouse.duckdb warehouse.duckdb.wal \
		published artifacts
