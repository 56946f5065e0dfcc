# `make run` and `make test` set everything up on a fresh machine and are safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint format migrate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime-installed
	$(BIN)/python -m webapp

migrate: $(VENV)/.runtime-installed
	$(BIN)/alembic upgrade head

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Speed and memory targets (not part of `make test`: timings belong here, not in tests).
# About 8 minutes; SCALE=1 adds the scale run (1,000,000 tasks), BENCH_ARGS=--quick a smoke run.
BENCH_ARGS ?=
bench: $(VENV)/.dev-installed
	@if [ ! -x /usr/bin/wrk ] && ! command -v wrk >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi
	$(BIN)/python bench/bench.py $(if $(filter 1 yes true,$(SCALE)),--scale) $(BENCH_ARGS)

# Mixed load with a PostgreSQL restart halfway, on a server of its own (Debian's PostgreSQL 15);
# exits 1 if an acknowledged write is lost. SOAK_SECONDS=60 for a short run.
SOAK_SECONDS ?= 600
.PHONY: soak
soak: $(VENV)/.dev-installed
	$(BIN)/python bench/soak.py --seconds $(SOAK_SECONDS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
