# sosuckhoe: `make run` serves the platform, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
B ?= persons

.PHONY: run test lint bench setup messages system-packages clean

# Debian packages the tests need, each after the file or command that shows it is there: the
# browser of the browser tests, its fonts (which it only recommends), GNU gettext, whose
# xgettext the translation test runs, and npm, which setup needs for the pages' browser
# libraries. Only the missing ones are installed: a machine whose Node.js comes from elsewhere
# (NodeSource ships its own npm) cannot take Debian's npm beside it.
TEST_PACKAGES := chromium:/usr/bin/chromium fonts-liberation:/usr/share/fonts/truetype/liberation \
	gettext:xgettext npm:npm

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv

# Modules are compiled when installed, and the project's own at every setup: where
# PYTHONDONTWRITEBYTECODE is set, Python reads compiled modules but never writes them, and
# compiled every source anew in each process it started (`manage.py check`: 11 s, 2.6 s once
# compiled; the tests start dozens of such processes).
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode --python $(PYTHON)
	touch $@

# The browser libraries pages serve from our static files (package.json, pinned by its lock).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.synced messages node_modules/.installed
	$(PY) -m compileall -q sosuckhoe bench conftest.py manage.py gunicorn.conf.py

# Catalogues are compiled with Babel so that no system gettext is needed; only when the
# translations changed, so that the two suites of CI, side by side, never rewrite a catalogue
# that the other is reading.
CATALOGUE := locale/vi/LC_MESSAGES/django.mo
messages: $(CATALOGUE)
$(CATALOGUE): locale/vi/LC_MESSAGES/django.po | $(VENV)/.synced
	$(VENV)/bin/pybabel compile --domain django --directory locale --statistics

# Installs what is missing, as root or through a sudo that asks no password; otherwise stops
# with the one command to run.
system-packages:
	@missing=""; for pc in $(TEST_PACKAGES); do p=$${pc%%:*}; c=$${pc#*:}; \
		[ -e "$$c" ] || command -v "$$c" >/dev/null || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "The tests need Debian packages; run: sudo apt-get install$$missing"; exit 1; fi; \
	echo "Installing$$missing"; \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get update -q && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing

run: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) setup_demo
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A sosuckhoe worker --pool=solo --loglevel=WARNING \
		--beat --schedule=var/celerybeat-schedule & \
	$(VENV)/bin/gunicorn sosuckhoe.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers 2 ; \
	wait

# LINT=0 runs the tests alone: CI checks the code once, then runs the tests on each database.
test: system-packages setup $(if $(filter 0,$(LINT)),,lint)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(wildcard sosuckhoe/*/services.py sosuckhoe/*/services/*.py sosuckhoe/*/*_services.py sosuckhoe/*/selectors.py sosuckhoe/*/*_selectors.py) sosuckhoe/supply/schedule.py
	$(MANAGE) makemigrations --check --dry-run

# The benchmarks also measure their peers (Splink, django-import-export): the `bench` group.
bench: setup
	$(UV) sync --frozen --quiet --compile-bytecode --python $(PYTHON) --group bench --inexact
	$(MANAGE) collectstatic --noinput -v0
	$(PY) bench/$(B).py

clean:
	rm -rf var .venv .uv node_modules
