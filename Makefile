# OpenEPaCCS: two commands for people (`make run`, `make test`); the rest are their steps.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
VENDOR := static/vendor

# The test database: PostgreSQL on this machine, started by scripts/services.sh.
TEST_DATABASE_URL ?= postgres://openepaccs:openepaccs@127.0.0.1:5432/openepaccs
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# pytest-xdist: one worker per core, each with its own test database (test_openepaccs_gw0,
# ...); idle workers take queued tests from busy ones. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --dist worksteal

.PHONY: help install install-app static run demo demo-reset test test-clock lint types migrations-check pytest services clean

help:
	@echo "make run   - install, migrate, load demo data and serve on http://127.0.0.1:8000 (SQLite)"
	@echo "make demo-reset - the demo database back as it was loaded, in seconds"
	@echo "make test  - install, start PostgreSQL and Redis, run ruff, the import contract, mypy, migration check and pytest"
	@echo "make test-clock - the suite (no browser tests) with the clock moved to four moments"

# Each install step is quiet: its output goes to a log, shown only if the step fails.
QUIETLY = bash scripts/quietly.sh

# What the service needs to run (make run) ...
$(VENV)/.installed-app: pyproject.toml scripts/system_libs.sh
	@bash scripts/system_libs.sh
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(QUIETLY) "installing the service's Python packages" $(PIP) install --disable-pip-version-check -e .
	@touch $@

# ... and what make test adds: the test, lint and type-checking tools.
$(VENV)/.installed: $(VENV)/.installed-app
	@$(QUIETLY) "installing the test tools" $(PIP) install --disable-pip-version-check -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@$(QUIETLY) "installing the NHS.UK frontend and htmx (npm)" npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/.built: node_modules/.installed scripts/vendor_static.sh frontend/scss/nhsuk.scss
	@$(QUIETLY) "building the stylesheet" bash scripts/vendor_static.sh

staticfiles/.collected: $(VENDOR)/.built $(VENV)/.installed $(shell find static -path static/vendor -prune -o -type f -print)
	$(MANAGE) collectstatic --noinput --clear -v0
	touch $@

install: $(VENV)/.installed $(VENDOR)/.built staticfiles/.collected

# make run serves static files from the source folders (DEBUG): nothing to collect.
install-app: $(VENV)/.installed-app $(VENDOR)/.built
	@:  # (a recipe, so that an installed machine hears nothing, not "Nothing to be done")

static: $(VENDOR)/.built staticfiles/.collected

# The Python packages and the npm packages install side by side (-j2): a first run waits for
# the slower of the two, not for both.
run:
	@$(MAKE) --no-print-directory -j2 install-app
	@$(MANAGE) demo_setup
	@$(MANAGE) runserver 127.0.0.1:8000

demo: install-app
	@$(MANAGE) demo_setup

demo-reset: install-app
	@$(MANAGE) demo_reset

services:
	bash scripts/services.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

types: install
	$(VENV)/bin/mypy .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

pytest: install services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS)

test: install services lint types migrations-check pytest

# The suite (without the browser tests) at four moments: a year from now; the evening of a
# leap day; the hour that happens twice, when the clocks go back; a minute before the new
# year. Each moment is London time; the clock ticks from there. Every moment is run, and
# the make fails afterwards if any did.
CLOCK_MOMENTS ?= $(shell TZ=Europe/London date -d '+1 year' +%Y-%m-%dT%H:%M) 2028-02-29T23:30 2027-10-31T01:30 2027-12-31T23:59

test-clock: install services
	@failed=""; for moment in $(CLOCK_MOMENTS); do \
		echo "== pytest --clock $$moment"; \
		DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest \
			$(XDIST) -q -m "not browser" --clock $$moment || failed="$$failed $$moment"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-clock: failed at$$failed"; exit 1; fi; \
	echo "test-clock: passed at every moment: $(CLOCK_MOMENTS)"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles
