"""Test settings: the environment module with the test overrides of cookiecutter-django."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Made when the settings are read: one for each test process, so each pytest-xdist worker
# ("gw0", "gw1"…) writes its files in a folder of its own.
_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "main")
MEDIA_ROOT = tempfile.mkdtemp(prefix=f"pianozona-media-{_PROCESS}-")
STATIC_ROOT = tempfile.mkdtemp(prefix=f"pianozona-static-{_PROCESS}-")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Reports render where the test can wait for them (on commit, in the test's thread); the
# tests of reports/background.py switch the thread back on.
REPORT_EAGER_IN_BACKGROUND = False
# django-axes announces itself when Django starts; in the pytest-xdist controller that line
# is released after pytest's closing summary, which must close the output (.ci/run).
AXES_VERBOSE = False
# SQLite: production's options (pianozona/settings.py) kept for the server of the test of
# simultaneous logins (tests/faults/sqlite_server.py), which runs with them. The suite's own
# connection begins its transactions DEFERRED: pytest wraps every test in one, and with
# IMMEDIATE it would hold the write lock from its start, where SQLite's online backup API
# (`manage.py backup`, run in autocommit in production) waits for it for ever.
PRODUCTION_DATABASE_OPTIONS = dict(DATABASES["default"].get("OPTIONS", {}))  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        **PRODUCTION_DATABASE_OPTIONS, "transaction_mode": "DEFERRED"}
