# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install install-test lint check migrations-check clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	@# The browser tests drive Debian's Chromium (Playwright downloads no browser here).
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)

## Start the app on SQLite with the seed documents and the demo users.
run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_seeds
	DJANGO_DEBUG=1 $(BIN)/python manage.py create_demo_users
	@echo "Apri http://127.0.0.1:$(PORT)/ (amministrazione: /admin/)"
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Install the test dependencies and run every test (PostgreSQL/Redis when configured).
test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Every benchmark in one run (bench/run.py): e.g. rendering the Relazione Consuntivo 2018.
bench: install
	$(BIN)/python bench/run.py

lint: install-test
	$(BIN)/ruff check .

check: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py check
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
