# Two commands are all a fresh clone needs: `make generate` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed

.PHONY: generate test bench dist clean

# The venv is (re)built when the dependency list changes.
$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# npm tools the tests need (the Prism mock server), pinned in package-lock.json, installed into the repo.
$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

generate: $(INSTALLED)
	$(BIN)/python -m generator build

test: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) node_modules dist .pytest_cache .mypy_cache .ruff_cache
