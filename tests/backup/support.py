"""A second, empty database and a way to run manage.py against it in a subprocess."""

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import services_required

ROOT = Path(__file__).resolve().parents[2]

# The subprocess uses the test settings, with MEDIA_ROOT chosen by the test.
SETTINGS = """\
import os
from pianozona.settings_test import *  # noqa: F403
MEDIA_ROOT = os.environ["PZ_BACKUP_MEDIA_ROOT"]
"""


def require_postgresql_under_ci():
    """Under CI the tests must run on PostgreSQL: SQLite there means a missing service."""
    if services_required() and connection.vendor != "postgresql":
        pytest.fail("CI senza PostgreSQL: i test di backup devono girare su PostgreSQL.")


def _postgres_url(name):
    params = connection.settings_dict
    user = urllib.parse.quote(params.get("USER") or "", safe="")
    password = urllib.parse.quote(params.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{name}"


# ---------------------------------------------------------------------------------------
# A freshly migrated database, shared: the test database as its migrations left it, copied
# once per test session (per pytest-xdist worker) by django_db_setup before it loads the
# seeds. A second database that needs to be "freshly migrated" is a copy of it, instead of
# one more `manage.py migrate` in a subprocess (the slowest step of these tests).
# ---------------------------------------------------------------------------------------

_MIGRATED = {}


def keep_migrated_copy():
    """Called by django_db_setup between the migrations and the seeds."""
    from governance.models import Ambito

    if Ambito.objects.exists():  # a reused test database (--reuse-db): not a fresh one
        return
    if connection.vendor == "postgresql":
        name = f"pz_backup_migrated_{os.getpid()}"
        source = connection.settings_dict["NAME"]
        connection.close()  # a template database must have no session open on it
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        _MIGRATED["postgresql"] = name
    elif connection.vendor == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="pz-backup-migrated-"))
        connection.ensure_connection()
        copy = sqlite3.connect(folder / "migrated.sqlite3")
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        _MIGRATED["sqlite"] = folder / "migrated.sqlite3"


def drop_migrated_copy():
    name = _MIGRATED.pop("postgresql", None)
    if name:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    path = _MIGRATED.pop("sqlite", None)
    if path:
        shutil.rmtree(path.parent, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(suffix, migrated=False):
    """An empty database of the same engine as the test database, dropped afterwards.

    ``migrated=True``: a freshly migrated one, a copy of the shared migrated database;
    yields ``(url, migrated)``, ``migrated`` False when there is no copy to start from (a
    reused test database) and the caller has to migrate it.
    """
    vendor = connection.vendor
    template = _MIGRATED.get(vendor) if migrated else None
    if vendor == "postgresql":
        name = f"pz_backup_target_{os.getpid()}_{suffix}"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"'
                           + (f' TEMPLATE "{template}"' if template else ""))
        try:
            yield (_postgres_url(name), bool(template)) if migrated else _postgres_url(name)
        finally:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory(prefix="pz-backup-target-") as folder:
            if template:
                shutil.copyfile(template, f"{folder}/target.sqlite3")
            url = f"sqlite:///{folder}/target.sqlite3"
            yield (url, bool(template)) if migrated else url


class Instance:
    """Another installation: its own database and MEDIA_ROOT, driven through manage.py."""

    def __init__(self, database_url, folder):
        self.database_url = database_url
        self.folder = Path(folder)
        self.media_root = self.folder / "media"
        self.media_root.mkdir(parents=True, exist_ok=True)
        (self.folder / "pz_backup_settings.py").write_text(SETTINGS)

    def env(self):
        env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
        env.update(
            DATABASE_URL=self.database_url,
            DJANGO_SETTINGS_MODULE="pz_backup_settings",
            PZ_BACKUP_MEDIA_ROOT=str(self.media_root),
            PYTHONPATH=os.pathsep.join([str(self.folder), str(ROOT)]),
        )
        return env

    def manage(self, *args, timeout=600):
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout,
        )

    def python(self, code, timeout=300):
        """Run ``code`` with Django set up; its last stdout line is parsed as JSON."""
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + code],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def table_counts(self):
        return self.python(
            "import json; from backup.database import table_counts;"
            "print(json.dumps(table_counts()))"
        )


def ok(result):
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result.stdout
