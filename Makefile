# verigroup — two commands for a newcomer:
#   make audit   audit the bundled specs and case studies
#   make test    run the test suite
# Each creates .venv (Python 3.11+) and installs verigroup into it first.

PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: audit test test-full bench typecheck dist clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# Exit 1 means "some property is VIOLATED" — the audit found something,
# which is what several bundled specs are there to show; 2/3/4 still fail.
audit: $(STAMP)
	$(BIN)/verigroup check specs/*.vg specs/protocols/*.vg specs/mechanisms/*.vg case_studies/*/*.vg || test $$? -eq 1

test: $(STAMP)
	$(BIN)/python -m pytest

test-full: $(STAMP)
	$(BIN)/python -m pytest -m "slow or not slow"

bench: $(STAMP)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

typecheck: $(STAMP)
	$(BIN)/python -m mypy

# sdist (with specs/, docs, tests) and wheel in dist/; see docs/ci-gate.md.
dist: $(STAMP)
	$(BIN)/python -m build --no-isolation --skip-dependency-check --outdir dist .

clean:
	rm -rf $(VENV) build *.egg-info
