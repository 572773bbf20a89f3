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

.PHONY: run test lint bench setup messages clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced messages

# Catalogues are compiled with Babel so that no system gettext is needed.
messages: $(VENV)/.synced
	$(VENV)/bin/pybabel compile --domain django --directory locale --statistics

run: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) setup_demo
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A sosuckhoe worker --pool=solo --loglevel=WARNING & \
	$(VENV)/bin/gunicorn sosuckhoe.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers 2 ; \
	wait

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy sosuckhoe/*/services.py sosuckhoe/*/selectors.py
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: setup
	$(PY) bench/$(B).py

clean:
	rm -rf var .venv .uv
