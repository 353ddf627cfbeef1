# paperfeed: `make demo` serves the bundled demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= paperfeed-data
# torch's CPU wheel comes from here (PyPI's Linux torch is the CUDA build, gigabytes this project does not
# need on a machine without a GPU); empty: PyPI's build (a machine with a GPU)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
# tests run in this many processes (pytest-xdist; `auto`: one per core, 4 at most); 0: in one process
TEST_WORKERS ?= auto

.PHONY: demo test install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian run 'apt-get install python3-venv'"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(if $(TORCH_INDEX),$(BIN)/python -m pip install --quiet --retries 0 "torch==2.13.0" --extra-index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Load the bundled demo papers and serve them at http://$(HOST):$(PORT)/
demo: install
	$(BIN)/paperfeed --data-dir $(DATA_DIR) demo --host $(HOST) --port $(PORT)

## Run every test, on SQLite and on the PostgreSQL server at 127.0.0.1 (database `test`)
test: install-test
	bash scripts/ensure-services.sh
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist worksteal $(PYTEST_ARGS)

## Benchmarks on the real corpora in ../shared/data (not part of `make test`)
bench: install-test
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) $(DATA_DIR) test-artifacts .pytest_cache
