"""A real worker killed with SIGKILL mid-render; the message comes back and is rendered.

The job has to be committed for the worker processes to see it: it is written and read
through a connection of its own (another thread), outside the test transaction, and
removed afterwards.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from objectives.models import OperatingPlan
from reports import jobs
from reports.models import ReportJob

from ..conftest import services_required
from .conftest import faults_redis_url, require_faults_redis

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import os, time
from pathlib import Path
import django
django.setup()
from reports import jobs
marker = os.environ.get("FAULTS_SLOW_MARKER")
if marker:  # the first worker: stops while writing the PDF, to be killed there
    real_store = jobs._store_pdf
    def slow_store(job, name, content):
        Path(marker).write_text(str(os.getpid()))
        time.sleep(300)
        return real_store(job, name, content)
    jobs._store_pdf = slow_store
from pianozona.celery import app
if os.environ.get("FAULTS_VISIBILITY_TIMEOUT"):  # the second: takes back unacked messages soon
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(os.environ["FAULTS_VISIBILITY_TIMEOUT"]),
    }
app.worker_main(["worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING",
                 "--without-mingle", "--without-gossip", "-n", f"faults-{os.getpid()}@%h"])
"""


def _wait_for(predicate, what, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"in {timeout} s: {what}")


def committed(func):
    """Runs ``func`` on a connection of its own, in autocommit: what it writes is committed."""
    outcome = {}

    def run():
        try:
            outcome["value"] = func()
        except BaseException as error:  # noqa: BLE001 - handed back to the test thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _fresh(job):
    return committed(lambda: ReportJob.objects.get(pk=job.pk))


@pytest.fixture
def committed_job():
    def create():
        plan = OperatingPlan.objects.filter(zone_plan__ambito__slug="cremasco").order_by(
            "year").first()
        return ReportJob.objects.create(ambito=plan.zone_plan.ambito, operating_plan=plan,
                                        kind="piano-operativo")

    job = committed(create)
    yield job
    job = _fresh(job)
    if job.file:
        job.file.storage.delete(job.file.name)
    committed(lambda: ReportJob.objects.filter(pk=job.pk).delete())


@pytest.mark.django_db
def test_sigkilled_worker_leaves_no_file_and_the_redelivery_renders(committed_job, broker,
                                                                    tmp_path):
    require_faults_redis()
    if connection.vendor != "postgresql":
        if services_required():
            pytest.fail("serve PostgreSQL: i worker devono vedere il database dei test")
        pytest.skip("worker separati: serve PostgreSQL (fuori CI)")
    db = connection.settings_dict
    database_url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                    f"{db['PORT'] or 5432}/{db['NAME']}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pianozona.settings",
           "DJANGO_SECRET_KEY": "faults-worker-secret-key", "DATABASE_URL": database_url,
           "CELERY_BROKER_URL": faults_redis_url(), "CELERY_RESULT_BACKEND": faults_redis_url(),
           "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    marker = tmp_path / "writing"
    broker.use(faults_redis_url())
    broker.purge()
    workers = []

    def start(**extra):
        worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT,
                                  env={**env, **extra}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        workers.append(worker)
        return worker

    pdfs_before = set(Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    try:
        first = start(FAULTS_SLOW_MARKER=str(marker))
        assert jobs.report_job_dispatch(job_id=committed_job.pk)
        _wait_for(marker.exists, "il primo worker non ha iniziato a scrivere il PDF")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)

        killed = _fresh(committed_job)
        assert killed.state == ReportJob.State.RUNNING and killed.attempts == 1
        assert not killed.file and not jobs.report_file_is_complete(killed)
        assert set(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == pdfs_before  # no half PDF

        start(FAULTS_VISIBILITY_TIMEOUT="2")
        _wait_for(lambda: _fresh(committed_job).state == ReportJob.State.READY,
                  "il messaggio riconsegnato non ha generato il report")
        rendered = _fresh(committed_job)
        assert rendered.attempts == 2 and jobs.report_file_is_complete(rendered)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
        broker.purge()
