"""A second, empty database and a way to run manage.py against it in a subprocess."""

import contextlib
import json
import os
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


@contextlib.contextmanager
def fresh_database(suffix):
    """An empty database of the same engine as the test database, dropped afterwards."""
    if connection.vendor == "postgresql":
        name = f"pz_backup_target_{os.getpid()}_{suffix}"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield _postgres_url(name)
        finally:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory(prefix="pz-backup-target-") as folder:
            yield f"sqlite:///{folder}/target.sqlite3"


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
