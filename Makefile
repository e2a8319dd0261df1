# OneDoor. `make run` and `make test` set everything up on a fresh machine (Python 3.11+, Node 20+).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install pango run serve soak test lint layers typecheck migrations-check pytest bench demo clean assets messages directory-data

install: pango $(VENV)/.installed node_modules/.installed onedoor/static/build/onedoor.css

# The PDF report (WeasyPrint, onedoor/insights/pdf.py) needs Pango and a font: Debian's packages, installed
# where they are missing. Elsewhere, install Pango with the system's own packages (docs/insights-output.md).
pango:
	@{ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || { \
	  if command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; \
	  else echo "The PDF report needs Pango 1.44 or newer: install it with your system's packages"; fi; }

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "OneDoor needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

onedoor/static/build/onedoor.css: node_modules/.installed onedoor/static_src/onedoor.scss
	npm run --silent build

assets: onedoor/static/build/onedoor.css

# Refresh the public pages' translation catalogues and compile them (the compiled .mo files are
# committed, so `make install` needs no gettext). Installs gettext where it is missing.
messages: install
	command -v msgfmt >/dev/null || (apt-get install -y gettext || sudo apt-get install -y gettext)
	cd onedoor && ../$(PY) ../manage.py makemessages -l pl -l pa -l ur -l ro --no-obsolete --no-location \
		-i "static/*" -i "accounts/*" -i "referrals/*" -i "casework/*" -i "insights/*" -i "messaging/*" -i "core/templates/*"
	cd onedoor && ../$(PY) ../manage.py compilemessages

# The services directory loads after the area (its commissioned services come from the area file).
# ONEDOOR_AREA names the area: a bundled one (warwickshire, city-of-london) or the path to an area file.
directory-data: install
	$(PY) manage.py check_area
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_area
	$(PY) manage.py load_directory
	$(PY) manage.py check --database default

demo: install directory-data
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_area
	$(PY) manage.py load_demo --quiet
	$(PY) manage.py load_casework_demo
	@# Last night's police file, synthetic (the same file every time, so importing it again changes nothing).
	@mkdir -p var && $(PY) manage.py make_police_file --rows 300 --seed 2022 --bad-rows 3 -o var/demo-police-file.csv
	$(PY) manage.py import_police var/demo-police-file.csv > var/demo-police-import.json 2> var/demo-police-errors.txt
	@# The context pages' reference data the area file names: LSOA lookup, Census comparators, district outlines.
	$(PY) manage.py load_context > var/demo-context.json
	@# Runs once, so this only prints the demo logins, last, where a newcomer sees them.
	$(PY) manage.py load_demo

# Serves on http://$(HOST):$(PORT) with a task worker beside it; Ctrl-C stops both.
run: demo
	@echo "OneDoor is starting on http://$(HOST):$(PORT)"
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py onedoor_worker --interval 1 & \
	ONEDOOR_DEBUG=$${ONEDOOR_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT) --noreload

# The production configuration, locally: PostgreSQL, gunicorn, WhiteNoise, and a supervised task worker
# (onedoor/supervise.py restarts either when it exits; Ctrl-C stops both). See docs/deployment.md.
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/onedoor_serve
SERVE_ENV = ONEDOOR_ENV=production ONEDOOR_DEBUG=0 ONEDOOR_SSL_REDIRECT=0 ONEDOOR_SECURE_COOKIES=0 \
	ONEDOOR_SECRET_KEY="$$(cat var/serve-secret)" DATABASE_URL="$${DATABASE_URL:-$(SERVE_DATABASE_URL)}" \
	ONEDOOR_PUBLIC_URL="http://$(HOST):$(PORT)" ONEDOOR_BIND="$(HOST):$(PORT)"

var/serve-secret:
	@mkdir -p var && umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

serve: install var/serve-secret
	@url="$${DATABASE_URL:-$(SERVE_DATABASE_URL)}"; name="$${url##*/}"; base="$${url%/*}"; \
	case "$$url" in postgres*://*) psql "$$base/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$$name'" | grep -q 1 \
	  || psql "$$base/postgres" -qc "CREATE DATABASE \"$$name\"";; esac
	@$(SERVE_ENV) $(PY) manage.py migrate --no-input -v0
	@$(SERVE_ENV) $(PY) manage.py createcachetable
	@$(SERVE_ENV) $(PY) manage.py load_area
	@$(SERVE_ENV) $(PY) manage.py load_directory
	@$(SERVE_ENV) $(PY) manage.py check --database default
	@$(SERVE_ENV) $(PY) manage.py collectstatic --no-input -v0
	@echo "OneDoor (production configuration) is starting on http://$(HOST):$(PORT)"
	@$(SERVE_ENV) exec $(PY) -m onedoor.supervise \
		"web=$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py onedoor.wsgi" \
		"worker=$(PY) manage.py onedoor_worker --interval 1"

# The soak: the production configuration on PostgreSQL under concurrent clients (bench/soak.py, on
# loopback only). The full run is 100 clients for 2 minutes; CI runs a short one.
SOAK_SECONDS ?= 120
SOAK_CLIENTS ?= 100
SOAK_ARGS ?=
soak: install
	$(PY) bench/soak.py --seconds $(SOAK_SECONDS) --clients $(SOAK_CLIENTS) $(SOAK_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The import-linter contract in pyproject.toml: no app imports an app in a layer above it (ADR 0012).
layers: install
	$(VENV)/bin/lint-imports --no-cache

typecheck: install
	$(VENV)/bin/mypy onedoor tests

migrations-check: install
	DJANGO_SETTINGS_MODULE=onedoor.test_settings $(PY) manage.py makemigrations --check --dry-run

# Browser tests drive Debian's Chromium; never a browser downloaded by a test tool.
/usr/bin/chromium:
	@command -v apt-get >/dev/null || { echo "Install Chromium at /usr/bin/chromium for the browser tests"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

pytest: install /usr/bin/chromium
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

test: lint layers typecheck migrations-check pytest

# PAGES_ARGS: for example --sizes 10000,100000 for a quicker page benchmark (bench/README.md).
PAGES_ARGS ?=
bench: install
	$(PY) bench/run.py
	$(PY) bench/send.py
	$(PY) bench/insights.py
	$(PY) bench/pages.py $(PAGES_ARGS)

clean:
	rm -rf $(VENV) node_modules onedoor/static/build db.sqlite3
