"""The settings module switches on the environment alone."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE}))"
)


def _run(env, code=PROBE, args=None):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "pianozona.settings", **env})
    cmd = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(cmd, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def _settings(env):
    result = _run(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_is_sqlite_with_eager_tasks():
    s = _settings({"DJANGO_DEBUG": "1"})
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"].endswith("db.sqlite3")
    assert s["eager"] is True
    assert (s["lang"], s["tz"]) == ("it", "Europe/Rome")


def test_database_url_and_broker_switch_to_services():
    s = _settings({
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://user:pw@db.example:5432/pz",
        "CELERY_BROKER_URL": "redis://cache.example:6379/0",
    })
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "pz"
    assert s["eager"] is False
    assert s["broker"] == "redis://cache.example:6379/0"


def test_sqlite_file_of_ones_choice(tmp_path):
    s = _settings({"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert s["name"] == f"{tmp_path}/x.db"


def test_production_refuses_to_start_without_secret_key():
    result = _run({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = _run(
        {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "pianozona.example"},
        args=["manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Not one message of any level, silenced ones included (the security settings are
    # tested one by one in tests/security/test_settings_deploy.py).
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", \
        result.stdout
