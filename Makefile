# Quickstart:  make demo  (set up, lint the bundled examples)   make test  (set up, run every test)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $@ $(VENV)/.demo

# Lint the bundled example exports and plain-text articles (FL7xx: .txt files are read when named,
# directories are searched for exports only); exit status 1 (findings) is expected here.
demo: $(VENV)/.demo
	@$(BIN)/feedlint check --statistics examples/ examples/articles/*.txt ; status=$$?; test $$status -le 1

test: $(VENV)/.test
	$(BIN)/python -m pytest

bench: $(VENV)/.test
	$(BIN)/python benchmarks/run.py

docs: $(VENV)/.demo
	$(BIN)/python -m feedlint.docs > docs/rules.md

clean:
	rm -rf $(VENV) build dist *.egg-info
