# Open Budget Map: install, run and test from a fresh checkout.
#
#   make install        Python venv (.venv) + npm assets (static/vendor) + the static files under
#                       hashed names, brotli and gzip (build/static) + compiled translations
#   make run            install, migrate the database, load the demo data (and, the first
#                       time, print a demo admin's password), serve on 127.0.0.1:5000 with
#                       the background worker that validates and publishes uploads
#   make test           install the test extras, Debian's chromium and LibreOffice Calc,
#                       check the import contracts (lint-imports), then run pytest
#                       (extra pytest arguments: make test PYTEST_ARGS='-k map -x')
#   make translations   re-extract messages and update the .po catalogues
#   make bench          national-scale benchmarks (not tests; about 6 minutes), rewrites
#                       docs/benchmarks.md (e.g. make bench BENCH_ARGS='--quick --only import')
#   make clean          remove everything the targets above installed
#
# Needs: python3 (>= 3.11, with venv), npm, and apt-get for the browser tests.
# Each step leaves a stamp file, so a re-run only redoes what changed: the Python packages are
# reinstalled when pyproject.toml changes, the npm packages when package.json or
# package-lock.json change. The stamps live inside .venv/ and node_modules/, so deleting either
# folder by hand also forgets its stamps.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PYTEST_ARGS ?=

VENV_STAMP   := $(VENV)/.install.stamp
TEST_STAMP   := $(VENV)/.install-test.stamp
BENCH_STAMP  := $(VENV)/.install-bench.stamp
BENCH_NPM_STAMP := bench/node_modules/.npm-ci.stamp
BENCH_ARGS ?=
NPM_STAMP    := node_modules/.npm-ci.stamp
ASSETS       := static/vendor/manifest.json
STATIC_BUILD := build/static-manifest.json
# The app's own static files (the vendored ones change only with $(ASSETS)).
STATIC_SOURCES := $(shell find static -path static/vendor -prune -o -type f -print 2>/dev/null)

# Compile only the catalogues that exist: with no translations/*/LC_MESSAGES/messages.po yet,
# MO_FILES is empty and `install` simply skips this step.
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.DEFAULT_GOAL := install
.DELETE_ON_ERROR:
# `translations` is also a folder, so it must be phony or make would call it up to date.
.PHONY: install install-test browser run test translations clean bench

# Fail with a readable message unless interpreter $(1) is Python >= 3.11.
define require_python_311
@$(1) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
  echo "error: Open Budget Map needs Python >= 3.11, but '$(1)' is" \
       "$$($(1) -c 'import platform; print(platform.python_version())' 2>/dev/null || echo 'not runnable')." >&2; \
  echo "       Install Python 3.11+ with venv support, or pick one: make PYTHON=python3.12 ..." >&2; \
  echo "       (If .venv was made with an older Python, remove it first: make clean.)" >&2; \
  exit 1; }
endef

## ---------------------------------------------------------------- install

install: $(VENV_STAMP) $(ASSETS) $(STATIC_BUILD) $(MO_FILES)

# The virtualenv itself.
$(BIN)/python:
	$(call require_python_311,$(PYTHON))
	$(PYTHON) -m venv $(VENV)

# The app and its dependencies, editable, into the venv.
$(VENV_STAMP): pyproject.toml | $(BIN)/python
	$(call require_python_311,$(BIN)/python)
	$(BIN)/python -m pip install -e .
	touch $@

# npm packages exactly as locked (npm ci wipes node_modules first, stamp included).
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Copy the files the pages need into static/vendor/ and write the version manifest.
$(ASSETS): $(NPM_STAMP) scripts/install_assets.py map_builder/assets.py | $(VENV_STAMP)
	$(BIN)/python scripts/install_assets.py

# Every file of static/ (vendor included) under its own and a content-hashed name, each with
# .br and .gz copies, into build/static/ (git-ignored) and the name map build/static-manifest.json;
# WhiteNoise serves them (core.web.static_files). Redone when a static file changes.
$(STATIC_BUILD): $(ASSETS) $(STATIC_SOURCES) scripts/build_static.py core/static_files.py | $(VENV_STAMP)
	$(BIN)/python scripts/build_static.py

# One .mo per catalogue, rebuilt when its .po changes (fuzzy entries are left out).
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV_STAMP)
	$(BIN)/pybabel compile -d translations -l $*

## ---------------------------------------------------------------- tests

install-test: install $(TEST_STAMP) browser

# pytest, Playwright's Python package (no browser download) and Babel.
$(TEST_STAMP): pyproject.toml $(VENV_STAMP)
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

# Debian's /usr/bin/chromium + fonts and libreoffice-calc via apt; a quick no-op when installed.
browser:
	bash scripts/install-browser.sh

# The import contracts first (pyproject.toml, docs/architecture.md), then the suite.
test: install-test
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## ---------------------------------------------------------------- benchmarks

# Not part of the test suite: see bench/README.md. Generated data goes to bench/out/.
bench: install $(BENCH_STAMP) $(BENCH_NPM_STAMP) browser
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Profilers, the load generator (aiohttp) and Playwright's Python package.
$(BENCH_STAMP): pyproject.toml $(VENV_STAMP)
	$(BIN)/python -m pip install -e '.[bench]'
	touch $@

# The naive folium baseline's scripts (leaflet.markercluster, jQuery), apart from the app's assets.
$(BENCH_NPM_STAMP): bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund
	touch $@

## ---------------------------------------------------------------- run

# The background worker (upload validation and publication) runs beside the web server and
# is stopped with it (Ctrl-C or any exit): trap EXIT.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) demo admin
	@bash -c 'set -m; $(FLASK) jobs worker & worker=$$!; \
	  trap "kill -INT $$worker 2>/dev/null; wait $$worker" EXIT; \
	  $(FLASK) run --host 127.0.0.1 --port 5000'

## ---------------------------------------------------------------- translations

# Refresh the catalogues after changing user-visible text:
#   1. extract every string marked with _(), _l() (lazy) or N_() (marked, translated later)
#      from the Python files and templates listed in babel.cfg into translations/messages.pot;
#   2. merge the new template into each translations/<locale>/LC_MESSAGES/messages.po.
# Then translate the new/fuzzy entries; the next `make install` compiles them.
# A new language is started once with:
#   .venv/bin/pybabel init -i translations/messages.pot -d translations -l <locale>
translations: $(VENV_STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k Nn_:1,2 --no-location --sort-output -o translations/messages.pot .
	$(if $(PO_FILES),$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations,\
	  @echo "No translations/*/LC_MESSAGES/messages.po yet; start one with: $(BIN)/pybabel init -i translations/messages.pot -d translations -l <locale>")

## ---------------------------------------------------------------- clean

# Everything installed above (the stamps live inside .venv/ and node_modules/).
clean:
	rm -rf $(VENV) node_modules static/vendor build bench/node_modules bench/out
