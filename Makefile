# KX: two commands do everything on a fresh machine.
#   make run   - create the environment, migrate, compile translations, load the demo, serve :8000
#   make test  - the same set-up, then the whole suite: SQLite, PostgreSQL, browser tests
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
BASE_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python) $(shell command -v python3.12 python3.13 2>/dev/null))
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help run test setup test-sqlite test-postgres test-browser test-production lint relevance bench bench-search lock messages clean system-packages

help:
	@echo "make run    # set up and serve the platform with demo content on http://127.0.0.1:8000"
	@echo "make test   # set up and run the whole test suite (SQLite, PostgreSQL, browser)"

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(BASE_PYTHON)" || { echo "Python $(PYTHON_VERSION) not found: install it (pyenv install $(PYTHON_VERSION))"; exit 1; }
	$(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

# System packages: gettext (compilemessages), PostgreSQL server binaries (tests),
# Debian's Chromium and its driver plus Noto fonts (browser tests, Arabic shaping),
# Pango (WeasyPrint, the guidebook PDF), poppler-utils (pdftoppm: looking at PDF pages) and
# redis-server (the production-like test's shared cache).
system-packages:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	test -d /usr/share/fonts/truetype/noto || missing="$$missing fonts-noto-core"; \
	ldconfig -p | grep -q 'libpango-1.0.so' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	fi

setup: $(STAMP)
	@mkdir -p var
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py migrate --no-input -v 0

run: system-packages setup
	$(PY) manage.py load_demo
	$(PY) manage.py search_rebuild
	$(PY) manage.py runserver 127.0.0.1:8000

test: system-packages $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(MAKE) --no-print-directory test-sqlite test-postgres test-browser test-production

test-sqlite: $(STAMP)
	$(PY) -m pytest -q

test-postgres: $(STAMP)
	$(PY) -m tests.postgres_cluster -- $(PY) -m pytest -q -m "not browser and not production"

test-browser: $(STAMP)
	$(PY) -m pytest -q -m browser -p no:randomly

# Production settings on PostgreSQL and Redis, gunicorn with 3 workers, 2 task workers, a
# mail server, and a bounded load (tests/production/).
test-production: $(STAMP)
	$(PY) -m tests.postgres_cluster -- $(PY) -m pytest -q -m production -p no:randomly -s

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The quick benchmarks (a few minutes); `make bench-search` builds 100,000 practices (~20 min).
bench: $(STAMP)
	$(PY) -m bench.practices
	$(PY) -m bench.forum
	$(PY) -m bench.exchanges
	$(PY) -m bench.guidebook

bench-search: $(STAMP)
	$(PY) -m bench.search

lock:
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

messages: $(STAMP)
	$(PY) manage.py makemessages -l ar -l fr -l es --ignore=.venv --ignore=var --ignore=bench --no-obsolete

clean:
	rm -rf $(VENV) var
