"""Fault fixtures: a Celery app that really publishes (eager off) to a broker of our choice."""

import socket
import urllib.parse

import pytest

from pianozona.celery import app as celery_app

from ..conftest import redis_url, services_required

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # port 1: nothing listens, the connect is refused


# Read once, at import: the broker fixture rewrites CELERY_BROKER_URL during a test.
_FAULTS_REDIS = redis_url("faults")


def faults_redis_url():
    """The Redis of the suite (the CI one when set), on the faults tests' own database
    (12; a worker of pytest-xdist has one of its own, see tests/conftest.py)."""
    return _FAULTS_REDIS


def require_faults_redis():
    url = urllib.parse.urlparse(faults_redis_url())
    try:
        socket.create_connection((url.hostname, url.port), timeout=3).close()
    except OSError as exc:
        message = f"Redis non raggiungibile su {faults_redis_url()}: {exc}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message + " (fuori CI)")


class Broker:
    """Points the project's Celery app at a broker, eager off, as a deployed web process is."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        self.use(UNREACHABLE_BROKER)

    def use(self, url):
        self._drop_pool()
        # Celery reads CELERY_BROKER_URL from the environment before its own setting.
        self.monkeypatch.setenv("CELERY_BROKER_URL", url)
        self.monkeypatch.setitem(celery_app.conf, "broker_url", url)
        self.monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
        self.url = url

    def _drop_pool(self):
        # The pools remember the broker they connected to: forget them when switching.
        from kombu import pools

        pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def messages(self, queue="celery"):
        import redis

        client = redis.Redis.from_url(self.url)
        return client.lrange(queue, 0, -1)

    def purge(self):
        import redis

        redis.Redis.from_url(self.url).flushdb()


@pytest.fixture
def broker(monkeypatch):
    """Starts unreachable; ``broker.use(faults_redis_url())`` brings Redis "back"."""
    handle = Broker(monkeypatch)
    yield handle
    handle._drop_pool()
    monkeypatch.undo()
    handle._drop_pool()


@pytest.fixture
def committed_at_once(monkeypatch):
    """The job's own transaction commits at once, as outside the test's wrapping transaction.

    In production the report pages are not atomic requests: the service commits and the
    broker is asked before the page chooses its message. The test database wraps every test
    in a transaction, so without this the on-commit send would come after the page.
    """
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit",
                        lambda func, using=None, robust=False: func())
