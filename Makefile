# Entry points for a fresh machine: `make gallery`, `make test` and `make docs`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: gallery test docs lint bench clean

$(BIN)/python:
	@PYTHON=$(PYTHON) bash .ci/system-packages venv
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.docs: requirements.txt requirements-docs.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-docs.txt
	touch $(VENV)/.runtime $@

$(VENV)/.test: requirements.txt requirements-test.txt requirements-docs.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-test.txt
	touch $(VENV)/.runtime $(VENV)/.docs $@

gallery: $(VENV)/.runtime  ## regenerate every illustration in output/
	$(BIN)/python generate.py

test: $(VENV)/.test  ## lint, then every test (installs Chromium first where it can)
	@bash .ci/system-packages chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

docs: $(VENV)/.docs  ## the site in docs/_build/html: offline, warnings are errors, links checked
	$(BIN)/python -m sphinx -b html -W --keep-going -n -q docs docs/_build/html

bench: $(VENV)/.test  ## our GIF exporter against matplotlib FuncAnimation
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache docs/_build docs/gallery
