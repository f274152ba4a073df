"""Celery on a real Redis worker, the compose file, migrations and the health check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from .conftest import redis_url, require_redis

ROOT = Path(__file__).resolve().parent.parent


def test_task_runs_on_a_real_worker_over_redis():
    require_redis()
    env = {**os.environ, "CELERY_BROKER_URL": redis_url(), "CELERY_RESULT_BACKEND": redis_url(),
           "DJANGO_SETTINGS_MODULE": "pianozona.settings",
           "DJANGO_SECRET_KEY": "worker-test-secret-key"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pianozona", "worker", "--pool=solo",
         "--concurrency=1", "--loglevel=WARNING", "-n", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        probe = subprocess.run(
            [sys.executable, "-c",
             "import django; django.setup();"
             "from pianozona.celery import app; from core.tasks import ping;"
             "assert not app.conf.task_always_eager;"
             "print(ping.delay('ciao').get(timeout=60)['pong'])"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
        assert probe.returncode == 0, probe.stderr
        assert probe.stdout.strip().endswith("ciao")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_eager_default_runs_tasks_in_process(settings):
    from core.tasks import ping

    assert ping.delay("x").get(timeout=5)["pong"] == "x"


def test_docker_compose_describes_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "db", "redis"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A pianozona worker")
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert {"pgdata", "redisdata", "media"} <= set(compose["volumes"])
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert (ROOT / services["web"]["build"] / "Dockerfile").exists()


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
