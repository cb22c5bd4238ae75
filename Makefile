# The two commands a user needs: `make run DATE=YYYY-MM-DD` and `make test`. Both set themselves up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
DATE   ?=
TOPIC  ?=

.PHONY: setup setup-dev run test test-e2e test-integration bench-figures bench-day lint lock clean help

help:
	@echo "make run DATE=YYYY-MM-DD [TOPIC=name]  run every topic's DAG for that arXiv listing date"
	@echo "         ... BATCH=1                  through the Gemini Batch API (half price, waits for the batch)"
	@echo "make test                             run the test suite (unit, DAG integrity, end to end)"
	@echo "make test-integration                 backfills under a real scheduler (PostgreSQL, Redis)"
	@echo "make bench-figures                    figure extraction benchmark (LaTeX set needs pdflatex)"
	@echo "make bench-day N=64 LATENCY=2 RPM=120  a busy day against the stand-ins: wall time vs lower bounds"
	@echo "make lint                             ruff (with Airflow's AIR rules) and mypy"
	@echo "make setup                            create $(VENV) from requirements.lock"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.lock -c requirements.lock
	@touch $@

setup: $(VENV)/.runtime

setup-dev: $(VENV)/.dev

run: setup
	@test -n "$(DATE)" || { echo "usage: make run DATE=YYYY-MM-DD [TOPIC=name]"; exit 2; }
	$(BIN)/digest run --date $(DATE) $(if $(TOPIC),--topic "$(TOPIC)") $(if $(BATCH),--batch)

test: setup-dev
	$(BIN)/pytest -m "not integration"

test-e2e: setup-dev
	$(BIN)/pytest -m e2e

test-integration: setup-dev
	$(BIN)/pytest -m integration

bench-figures: setup-dev
	$(BIN)/python -m benchmarks.figures.run --set all --json .digest/figbench.json

N ?= 20
LATENCY ?= 2
RPM ?= 120
bench-day: setup-dev
	$(BIN)/python -m benchmarks.day.run --n $(N) --latency $(LATENCY) --rpm $(RPM) $(if $(RPD),--rpd $(RPD)) \
		$(if $(CONCURRENCY),--concurrency $(CONCURRENCY)) --json .digest/bench-day-$(N).json

lint: setup-dev
	$(BIN)/ruff check src dags plugins tests scripts benchmarks
	$(BIN)/mypy
	$(BIN)/mypy benchmarks

lock: setup-dev
	$(BIN)/python scripts/lock.py

clean:
	rm -rf $(VENV) .digest .pytest_cache .mypy_cache .ruff_cache
