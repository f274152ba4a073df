"""Redis unreachable: pages and the API keep working, a report request is kept and resent."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from objectives.models import OperatingPlan
from pianozona.celery import app as celery_app
from reports import jobs
from reports.models import ReportJob

from .conftest import faults_redis_url, require_faults_redis

pytestmark = pytest.mark.django_db

QUEUE_MESSAGE = ("La coda di stampa non è raggiungibile: la richiesta è stata registrata e "
                 "partirà appena il servizio torna disponibile.")


def _request_report(client, plan):
    return client.post(reverse("reports:operating_plan", args=[plan.pk]),
                       {"kind": "piano-operativo", "variant": "pdf/ua-1"})


def test_publishing_gives_up_quickly_instead_of_retrying_for_minutes():
    """The budget of a refused publish: connect timeout × tries, not Celery's defaults."""
    transport = celery_app.conf.broker_transport_options
    policy = celery_app.conf.task_publish_retry_policy
    tries = policy["max_retries"] + 1
    worst = (transport["socket_connect_timeout"] + transport["socket_timeout"]) * tries
    worst += policy["interval_max"] * policy["max_retries"]
    assert worst <= 7, (transport, policy)
    backend_policy = celery_app.conf.result_backend_transport_options["retry_policy"]
    assert backend_policy["max_retries"] <= 1


def test_report_request_with_redis_down_is_kept_and_says_so(client, world, broker,
                                                             committed_at_once):
    plan = world.a[OperatingPlan]
    client.force_login(world.user("staff_a"))
    response = _request_report(client, plan)
    job = ReportJob.objects.get(operating_plan=plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job", args=[job.pk])
    assert job.state == ReportJob.State.WAITING and not job.file

    page = client.get(reverse("reports:job", args=[job.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert QUEUE_MESSAGE in text and "In attesa di invio" in text
    assert "Report messo in coda" not in text  # no false reassurance
    listing = client.get(reverse("reports:operating_plan", args=[plan.pk])).content.decode()
    assert "In attesa di invio" in listing


def test_pages_and_api_keep_working_with_redis_down(client, world, broker):
    plan = world.a[OperatingPlan]
    client.force_login(world.user("staff_a"))
    for url in (reverse("objectives:plan_list"), reverse("objectives:plan_detail", args=[plan.pk]),
                reverse("reports:index"), reverse("reports:operating_plan", args=[plan.pk]),
                "/healthz"):
        assert client.get(url).status_code == 200, url
    api = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert api.status_code == 200 and json.loads(api.content)


def test_the_sweep_resends_waiting_jobs_once_redis_is_back(client, world, broker,
                                                           committed_at_once):
    require_faults_redis()
    plan = world.a[OperatingPlan]
    client.force_login(world.user("staff_a"))
    _request_report(client, plan)
    job = ReportJob.objects.get(operating_plan=plan)
    assert job.state == ReportJob.State.WAITING

    # Still down: the sweep keeps it, untouched.
    assert jobs.report_jobs_sweep()["waiting"] == 1
    job.refresh_from_db()
    assert job.state == ReportJob.State.WAITING

    broker.use(faults_redis_url())
    broker.purge()
    try:
        counts = jobs.report_jobs_sweep()
        job.refresh_from_db()
        assert counts["sent"] == 1 and counts["waiting"] == 0
        assert job.state == ReportJob.State.QUEUED
        queued = [json.loads(m) for m in broker.messages()]
        assert [m["headers"]["task"] for m in queued] == ["pianozona.reports.render"]
        assert queued[0]["headers"]["argsrepr"] == f"({job.pk},)"

        # A duplicate (sweep and a lost-then-found message) is harmless: one render only.
        assert jobs.report_job_dispatch(job_id=job.pk)
        assert len(broker.messages()) == 2
    finally:
        broker.purge()
    first = jobs.report_job_run(job_id=job.pk, task_id="first-delivery")
    assert first.state == ReportJob.State.READY and first.attempts == 1
    second = jobs.report_job_run(job_id=job.pk, task_id="second-delivery")
    assert second.state == ReportJob.State.READY and second.attempts == 1
    assert second.file.name == first.file.name
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "Scarica il PDF" in page and QUEUE_MESSAGE not in page


def test_the_sweep_runs_on_beat_and_as_a_command(broker, capsys):
    from django.core.management import call_command

    celery_app.loader.import_default_modules()
    entry = celery_app.conf.beat_schedule["report-da-reinviare"]
    assert entry["task"] == "pianozona.reports.sweep" and entry["schedule"] <= 300
    assert "pianozona.reports.sweep" in celery_app.tasks
    assert settings.REPORT_JOB_STUCK_MINUTES > 0
    call_command("report_jobs_sweep")
    assert "Inviati: 0" in capsys.readouterr().out
