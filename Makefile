# keiretsu — every target bootstraps its own virtual environment from the lock file (uv.lock).
# Nothing needs installing by hand: only Python >= 3.12 and make.

SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	  then echo $$p; break; fi; done)
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.keiretsu-synced
RUN := $(BIN)/keiretsu
DEMO_OUT ?= runs/demo
NOTEBOOK_REPLICATIONS ?= 3

.PHONY: help venv demo test test-fast lint format bench schema docs clean

help:
	@echo "make demo   - install everything and run the bundled EV battery scenario end to end"
	@echo "make test   - install everything; ruff, import-linter contracts, the whole test suite and the notebooks"
	@echo "make lint   - ruff (lint + format check) and import-linter only"
	@echo "make bench  - speed and memory figures (benchmarks/)"
	@echo "make schema - regenerate the committed JSON Schemas in schemas/"
	@echo "make docs   - regenerate the CLI and scenario references in docs/reference/"

$(STAMP): pyproject.toml uv.lock
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.12 not found on PATH (try pyenv install 3.12)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --compile-bytecode --quiet --python $(BIN)/python
	@touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(RUN) --version
	$(RUN) validate scenarios/*.yaml
	$(RUN) simulate scenarios/ev_battery.yaml -n 200 -j 2 --out $(DEMO_OUT) --force
	@echo "demo run written to $(DEMO_OUT) (manifest.json, summary.json, tables, figures)"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# The notebooks run with a few replications (their parameter cell reads the variable).
test: lint
	KEIRETSU_NOTEBOOK_REPLICATIONS=$(NOTEBOOK_REPLICATIONS) $(BIN)/python -m pytest -q --nbmake tests notebooks

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit $$?; done

schema: $(STAMP)
	$(RUN) schema -o schemas/scenario.schema.json
	$(RUN) schema --plan -o schemas/plan.schema.json

docs: $(STAMP)
	$(BIN)/python -m keiretsu.docs docs/reference

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache .hypothesis
