# Two commands are all a fresh clone needs: `make generate` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
BENCH_BIN := .bench/venv/bin
BENCH_INSTALLED := .bench/venv/.installed

.PHONY: generate test docs-site bench dist publish clean

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

# Debian's chromium for the docs-site browser tests (installed with apt-get when missing).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	sh tests/support/ensure_chromium.sh

generate: $(INSTALLED)
	$(BIN)/python -m generator build

test: $(INSTALLED) $(NODE_INSTALLED) $(CHROMIUM)
	$(BIN)/python -m pytest -q

# A static docs site per package in site/<package>/ (MkDocs + Material), from the Markdown in generated/.
docs-site: $(INSTALLED)
	$(BIN)/clientgen docs-site --output site

# Wheel and sdist of every generated package in dist/, built from a copy so generated/ stays clean.
dist: $(INSTALLED)
	rm -rf dist && mkdir -p dist/.src
	for project in generated/*/; do \
		name=$$(basename $$project); \
		cp -r $$project dist/.src/$$name; \
		$(BIN)/python -m build --no-isolation --outdir dist dist/.src/$$name || exit 1; \
	done
	rm -rf dist/.src
	$(BIN)/twine check --strict dist/*

# Upload what `make dist` built with twine: every package, or one (PACKAGE=plane). Credentials come from
# TWINE_USERNAME / TWINE_PASSWORD (or ~/.pypirc), e.g. make publish REPOSITORY_URL=https://upload.pypi.org/legacy/
publish: dist
	@test -n "$(REPOSITORY_URL)" || { echo "usage: make publish REPOSITORY_URL=<upload URL> [PACKAGE=<package>]" >&2; exit 2; }
	$(BIN)/twine upload --non-interactive --disable-progress-bar --repository-url "$(REPOSITORY_URL)" \
		$(if $(PACKAGE),dist/$(PACKAGE)-*,dist/*)

# Peers and plotting for `make bench`, in their own virtualenv (pinned in benchmarks/requirements.txt).
$(BENCH_INSTALLED): benchmarks/requirements.txt
	$(PYTHON) -m venv .bench/venv
	$(BENCH_BIN)/python -m pip install --quiet --upgrade pip
	$(BENCH_BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	touch $@

# Speed and memory against OpenAPI Generator and openapi-python-client; rewrites BENCHMARKS.md's figures.
# Not part of `make test` (tests/benchmarks/test_smoke.py runs the same code at tiny sizes there).
bench: $(INSTALLED) $(BENCH_INSTALLED)
	sh benchmarks/ensure_java.sh
	$(BENCH_BIN)/openapi-generator-cli version
	$(BENCH_BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules dist site .pytest_cache .mypy_cache .ruff_cache
