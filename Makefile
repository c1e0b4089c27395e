# b2bshop developer commands. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install run test lint fmt typecheck worker beat erp-sim lock check-compose messages bench

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "python3.11 not found; set PY=/path/to/python3.11"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	@echo ">> installing b2bshop and its test/dev extras from constraints.txt"
	$(BIN)/pip install -q -c constraints.txt -e '.[test,dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with test and dev extras (pinned)

run: export DEBUG ?= 1
run: $(STAMP) ## Migrate, load demo data once, start http://127.0.0.1:8000 (SQLite + eager Celery unless DATABASE_URL/REDIS_URL set)
	@echo ">> compiling translations"; $(BIN)/python tools/compile_messages.py
	@echo ">> applying migrations"; $(BIN)/python manage.py migrate --noinput -v 0
	@echo ">> loading demo data (first run only, ~1-2 minutes)"; $(BIN)/python manage.py seed_demo --if-empty
	@$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP) ## Install missing system packages (apt), start PostgreSQL/Redis if down, run the whole suite
	tools/ensure_system.sh test
	$(BIN)/python tools/compile_messages.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check + format check + mypy + import contracts (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

typecheck: $(STAMP) ## mypy with django-stubs and djangorestframework-stubs over every app
	$(BIN)/mypy

fmt: $(STAMP) ## Format and auto-fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(STAMP) ## Run a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A b2bshop worker -l info --concurrency 2

beat: $(STAMP) ## Run Celery beat (periodic sweeps, reconciliation)
	$(BIN)/celery -A b2bshop beat -l info

erp-sim: $(STAMP) ## Run the ERP simulator on http://127.0.0.1:8765/orders
	$(BIN)/python manage.py erp_simulator --port 8765

check-compose: $(STAMP) ## Validate docker-compose.yml against the Compose specification
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

lock: ## Re-resolve and pin dependency versions into constraints.txt
	rm -rf /tmp/b2bshop-lock && $(PY) -m venv /tmp/b2bshop-lock && /tmp/b2bshop-lock/bin/pip install -q '.[test,dev]'
	(echo "# Pinned versions CI tested; regenerate with: make lock"; /tmp/b2bshop-lock/bin/pip freeze --exclude-editable | grep -v '^b2bshop') > constraints.txt

messages: $(STAMP) ## Re-extract translatable strings and fill Japanese from locale/ja/terms/*.json
	tools/ensure_system.sh messages
	$(BIN)/python manage.py makemessages -l ja --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles -v 0
	$(BIN)/python tools/fill_po.py

# ---------------------------------------------------------------- benchmark harness (docs/performance.md)
BENCH_ENTRIES := baselines queries catalog checkout erp push reorder connections cpu insights

bench: $(STAMP) ## Run every bench entry (gunicorn, Celery, ERP simulator on loopback); one entry: make bench-<entry> (baselines queries catalog checkout erp push reorder connections cpu insights; leads-matching)
	tools/ensure_system.sh bench
	$(BIN)/python -m bench

$(addprefix bench-,$(BENCH_ENTRIES)): bench-%: $(STAMP) ## One bench entry, e.g. make bench-checkout
	tools/ensure_system.sh bench
	$(BIN)/python -m bench --only $*

bench-leads-matching: $(STAMP) ## The harness's lead-matching entry (rows/s for 10k and 100k leads, peak memory)
	tools/ensure_system.sh bench
	$(BIN)/python -m bench --only leads

# Stand-alone, per-area scripts with more detail than the harness entries.
bench-catalog-load: $(STAMP) ## Stand-alone catalog load test: 50k products, 10k customers; queries/request, latency vs a hello view (~3 min)
	tools/ensure_system.sh bench
	$(BIN)/python bench/catalog.py $(BENCH_ARGS)

bench-erp-push: $(STAMP) ## Stand-alone ERP push throughput (2 worker processes) vs the ERP simulator's ceiling; PostgreSQL + Redis
	$(BIN)/python bench/erp.py

bench-leads: $(STAMP) ## Lead import (issue 5): 10k and 100k leads x 100k customers through the DB import, precision/recall (db b2bshop_bench_leads)
	$(BIN)/python bench/leads.py

bench-checkout-load: $(STAMP) ## Stand-alone cart evaluation query counts, checkout throughput (8 buyers) vs a single-INSERT view, oversell count
	$(BIN)/python bench/checkout.py
