# tsbkart task runner. `make help` lists the targets.
# Two commands do all the set-up on a fresh machine: `make run` and `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install system-deps run test test-fast lint format bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "==> [1/3] Creating the virtualenv in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] Upgrading pip"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "==> [3/3] Installing tsbkart and its pinned dependencies (the first time takes a few minutes)"
	$(BIN)/pip install --progress-bar on -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install tsbkart with its pinned dependencies

system-deps: ## Install the Debian packages the tests need (chromium, fonts, PDF libraries) when missing
	bash scripts/install-system-deps.sh

run: install ## Build the default SQLite database if missing and serve at http://$(HOST):$(PORT)
	@echo "==> Building the default database if missing (bundled data, SQLite)"
	$(BIN)/tsbkart db build-default
	@echo "==> Serving tsbkart at http://$(HOST):$(PORT) (Ctrl+C stops it)"
	$(BIN)/tsbkart serve --host $(HOST) --port $(PORT)

lint: install ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

format: install ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

test: install system-deps lint ## Lint, then every test (PostgreSQL ones when TSBKART_TEST_DATABASE_URL is set)
	$(BIN)/pytest

test-fast: install ## Tests without lint, browser or PostgreSQL
	$(BIN)/pytest -m "not browser and not postgres"

bench: install system-deps ## Run every benchmark; each ends with a RESULT line
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
