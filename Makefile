# Mamori: `make run` installs and serves the demo; `make test` runs the whole test suite;
# `make security` scans a throwaway demo server with schemathesis and wapiti (~15 minutes).
#
# Environment: MAMORI_DATA_DIR (default ./data), DATABASE_URL (PostgreSQL; default SQLite in the
# data directory), BIND (default 127.0.0.1:8443). See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BIND ?= 127.0.0.1:8443
# pytest-xdist workers for `make test`, each with its own test database (pytest-django adds
# _gw0, _gw1… to its name). Two: the machine the suite is timed on has two cores. Given here
# only (not in pyproject's addopts), so `python -m pytest path/to/test_x.py` stays one process.
TEST_WORKERS ?= 2
export MAMORI_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test install install-test system-packages lint bench security clean

$(BIN)/mamori: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(BIN)/mamori

$(VENV)/.test-deps: pyproject.toml $(BIN)/mamori
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install-test: $(VENV)/.test-deps system-packages

# Chromium (for the browser test), Japanese fonts and gettext, from Debian's packages.
system-packages:
	@bash scripts/system-packages.sh

run: install system-packages
	$(BIN)/mamori demo --bind $(BIND)
	$(BIN)/mamori serve --bind $(BIND)

test: install-test
	$(BIN)/mamori compilemessages --ignore '.venv/*' -v 0
	$(BIN)/ruff check mamori bench
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)
	@# The deploy check is given the secrets a deployment passes from outside the data directory.
	DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	  MAMORI_LOG_KEY=check-deploy-log-key-$$(date +%s) \
	  $(BIN)/mamori check --deploy --fail-level WARNING

lint: install-test
	$(BIN)/ruff check mamori bench
	$(BIN)/ruff format --check mamori bench

bench: install-test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/policies.py
	$(BIN)/python bench/risks.py
	$(BIN)/python bench/incidents.py
	$(BIN)/python bench/websec.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/contractors.py
	@# Its own data directory (bulk log rows leave a change log that does not verify).
	MAMORI_DATA_DIR=$${BENCH_DATA_DIR:-$$(mktemp -d)} $(BIN)/python bench/scale.py
	@# Training at ten times the company (issue 18): the scale data set's people and training
	@# (built again in a data directory of its own unless BENCH_DATA_DIR names one).
	MAMORI_DATA_DIR=$${BENCH_DATA_DIR:-$$(mktemp -d)} $(BIN)/python bench/training.py
	MAMORI_DATA_DIR=$${BENCH_DATA_DIR:-$$(mktemp -d)} $(BIN)/python bench/review.py
	MAMORI_DATA_DIR=$$(mktemp -d) $(BIN)/python bench/identity.py

# wapiti in a virtualenv of its own, so that its pinned dependencies never meet the project's.
# 3.2.3 is the newest release that installs on Python 3.11; scripts/security_findings.py reads
# its JSON report.
SECURITY_VENV := .venv-security

$(SECURITY_VENV)/bin/wapiti:
	$(PYTHON) -m venv $(SECURITY_VENV)
	$(SECURITY_VENV)/bin/pip install --quiet --upgrade pip
	$(SECURITY_VENV)/bin/pip install --quiet 'wapiti3==3.2.3'

# Not part of `make test`: it takes about 15 minutes (SECURITY_MINUTES scales it).
# sslscan is what wapiti's ssl module runs.
security: $(VENV)/.test-deps $(SECURITY_VENV)/bin/wapiti
	@bash scripts/system-packages.sh sslscan
	$(BIN)/python scripts/security.py

clean:
	rm -rf $(VENV) $(SECURITY_VENV) security-results build *.egg-info
