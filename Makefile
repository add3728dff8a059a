# Two entry points for a fresh machine: `make gallery` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: gallery test lint bench clean

$(BIN)/python:
	@PYTHON=$(PYTHON) bash .ci/system-packages venv
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-test.txt
	touch $(VENV)/.runtime $@

gallery: $(VENV)/.runtime  ## regenerate every illustration in output/
	$(BIN)/python generate.py

test: $(VENV)/.test  ## lint, then every test (installs Chromium first where it can)
	@bash .ci/system-packages chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: $(VENV)/.test  ## our GIF exporter against matplotlib FuncAnimation
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
