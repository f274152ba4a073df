# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test pytest install install-test lint check migrations-check clean bench backup restore audit messages

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

## Install the test dependencies and run every test (PostgreSQL/Redis when configured):
## ruff, then pytest (.ci/run runs the two stages one by one, to time each).
test: lint pytest

## pytest on one pytest-xdist worker per core (PYTEST_WORKERS=0: in this process; at most 8
## workers, one pair of Redis databases each); a module runs on one worker (tests/conftest.py).
PYTEST_WORKERS ?= auto
pytest: install-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --maxprocesses=8 --dist loadscope $(PYTEST_ARGS)

## Backup of the database and MEDIA_ROOT in one archive (docs/backup.md).
BACKUP_DIR ?= backups
backup: install
	$(BIN)/python manage.py backup --output $(BACKUP_DIR)

## Restore an archive written by `make backup`: make restore ARCHIVE=backups/….tar [FORCE=1]
restore: install
	@test -n "$(ARCHIVE)" || { echo "Indicare l'archivio: make restore ARCHIVE=backups/pianozona-backup-….tar"; exit 2; }
	$(BIN)/python manage.py restore "$(ARCHIVE)" $(if $(FORCE),--force)

## Known vulnerabilities of the installed dependencies (scripts/audit.py, SECURITY.md):
## fails on a vulnerability or an incomplete audit; warns when the service is unreachable.
audit: install-test
	$(BIN)/python scripts/audit.py

## Every benchmark in one run (bench/run.py): reports, bench_* commands and, on PostgreSQL,
## the scale table at 1, 60 and 600 synthetic ambiti (BENCH_SCALES=1,60 for fewer).
bench: install
	$(BIN)/python bench/run.py

lint: install-test
	$(BIN)/ruff check .

check: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py check
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

## Compile the app's Italian messages (locale/it/LC_MESSAGES/django.po, Django's admin
## worded by the app); the .mo is committed, so a clone runs without gettext.
messages:
	msgfmt --check-format -o locale/it/LC_MESSAGES/django.mo locale/it/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
