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

.PHONY: help install static run test test-clock lint types migrations-check pytest services demo clean

help:
	@echo "make run   - install, migrate, load demo data and serve on http://127.0.0.1:8000 (SQLite)"
	@echo "make test  - install, start PostgreSQL and Redis, run ruff, the import contract, mypy, migration check and pytest"
	@echo "make test-clock - the suite (no browser tests) with the clock moved to four moments"

$(VENV)/.installed: pyproject.toml scripts/system_libs.sh
	bash scripts/system_libs.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.built: node_modules/.installed scripts/vendor_static.sh frontend/scss/nhsuk.scss
	bash scripts/vendor_static.sh

staticfiles/.collected: $(VENDOR)/.built $(VENV)/.installed $(shell find static -path static/vendor -prune -o -type f -print)
	$(MANAGE) collectstatic --noinput --clear -v0
	touch $@

install: $(VENV)/.installed $(VENDOR)/.built staticfiles/.collected

static: $(VENDOR)/.built staticfiles/.collected

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) sweep_reminders
	$(MANAGE) runserver 127.0.0.1:8000

demo: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) sweep_reminders

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
