# Everything runs from a local virtualenv in .venv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo needs proxstate and its `demo` extra only: a first `make demo` does not wait for the
# development tools (ruff, mypy, pytest, linters), which `make test` adds to the same .venv later.
DEMO_STAMP := $(VENV)/.demo-installed

.PHONY: demo test lint typecheck check bench mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $(DEMO_STAMP)

DEMO_DIR ?= proxstate-demo

demo: $(DEMO_STAMP)  ## run proxstate against the built-in demo cluster, into ./proxstate-demo (re-created)
	rm -rf $(DEMO_DIR)
	$(BIN)/proxstate demo $(DEMO_DIR)

# Coverage of proxstate/ (lines and branches), its table and its floor: pyproject.toml's
# [tool.coverage.*] and docs/testing.md.
test: $(STAMP)  ## run the test suite, with coverage
	$(BIN)/python -m pytest -q -n auto --cov --cov-report=term

lint: $(STAMP)  ## ruff's rules and its formatting, over every Python file
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# What mypy covers (proxstate, tests, scripts, benchmarks; strict): pyproject.toml's [tool.mypy].
typecheck: $(STAMP)  ## mypy, strict, over the package, its tests, scripts and benchmarks
	$(BIN)/mypy

check: lint typecheck test  ## what CI runs (.ci/run): lint, type checks, then the test suite

BENCH_ARGS ?=

bench: $(STAMP)  ## the benchmark of docs/performance.md (about 10 minutes; BENCH_ARGS=--quick: 1)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/sync_bench.py $(BENCH_ARGS)

MUTATION_ARGS ?=

# Not part of check: mutmut over the core modules of [tool.mutmut] and the tests that exercise them;
# the mutants documented as equivalent are in scripts/mutation_equivalents.txt (docs/testing.md).
mutation: $(STAMP)  ## mutation testing of the core modules, one at a time (MUTATION_ARGS=module ...: some)
	$(BIN)/python -m pip install --quiet -e '.[mutation]'
	$(BIN)/python scripts/mutation_score.py $(MUTATION_ARGS)

clean:
	rm -rf mutants $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
