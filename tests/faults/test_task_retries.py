"""A failing Celery task is retried with growing waits, then ends visibly in "errore"."""

import logging
import smtplib

import pytest
from django.core import mail
from django.db import OperationalError
from django.urls import reverse

from indicators import tasks as indicator_tasks
from objectives.models import OperatingPlan
from reports import jobs, rendering
from reports.models import ReportJob
from reports.tasks import RENDER_RETRY, render_report_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_retries(monkeypatch):
    """Eager, but errors not propagated: Celery then runs each retry at once, in-process,
    as a worker would after the countdown (the test settings propagate, which retries
    cannot go through)."""
    from pianozona.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


@pytest.fixture
def retries(monkeypatch):
    """Every ``task.retry`` the render task asks for: its countdown and the error."""
    calls = []
    original = render_report_job.retry

    def spy(*args, **kwargs):
        calls.append({"countdown": kwargs.get("countdown"), "exc": kwargs.get("exc")})
        return original(*args, **kwargs)

    monkeypatch.setattr(render_report_job, "retry", spy)
    return calls


def _job(world):
    plan = world.a[OperatingPlan]
    return ReportJob.objects.create(ambito=plan.zone_plan.ambito, operating_plan=plan,
                                    kind="piano-operativo")


def test_transient_errors_are_retried_with_backoff_then_end_in_error(
        client, world, monkeypatch, retries, caplog):
    attempts = []

    def database_gone(*args, **kwargs):
        attempts.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(rendering, "render", database_gone)
    job = _job(world)
    with caplog.at_level(logging.WARNING, logger="reports.jobs"):
        render_report_job.delay(job.pk)  # eager: Celery runs each retry at once
    job.refresh_from_db()

    assert len(attempts) == RENDER_RETRY["max_retries"] + 1 == job.attempts
    assert len(retries) == RENDER_RETRY["max_retries"]
    for number, call in enumerate(retries):
        bound = min(RENDER_RETRY["retry_backoff"] * 2 ** number, RENDER_RETRY["retry_backoff_max"])
        assert 0 <= call["countdown"] <= bound  # full jitter: a random wait up to the bound
        assert isinstance(call["exc"], OperationalError)
    assert job.state == ReportJob.State.FAILED and not job.file
    assert job.error == jobs.SERVICE_FAILED
    # The traceback is in the log, for the technicians ...
    assert any(r.exc_info and "ultimo tentativo" in r.getMessage() for r in caplog.records)

    # ... and the page says what happened, in Italian, without it.
    client.force_login(world.user("staff_a"))
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "Errore" in page and "neanche dopo più tentativi" in page
    for technical in ("Traceback", "OperationalError", "server closed the connection"):
        assert technical not in page
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404


def test_a_transient_error_that_goes_away_ends_in_a_ready_report(world, monkeypatch, retries):
    real_render, failures = rendering.render, []

    def flaky(*args, **kwargs):
        if len(failures) < 2:
            failures.append(1)
            raise OSError("disco temporaneamente non disponibile")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(rendering, "render", flaky)
    job = _job(world)
    render_report_job.delay(job.pk)
    job.refresh_from_db()
    assert len(retries) == 2 and job.attempts == 3
    assert job.state == ReportJob.State.READY and jobs.report_file_is_complete(job)
    assert job.error == ""


def test_a_bug_is_not_retried_and_ends_in_error_at_once(client, world, monkeypatch, retries):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(rendering, "render", bug)
    job = _job(world)
    render_report_job.delay(job.pk)
    job.refresh_from_db()
    assert retries == [] and job.attempts == 1
    assert job.state == ReportJob.State.FAILED
    assert job.error.startswith("Il report non è stato generato")
    client.force_login(world.user("staff_a"))
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "Il report non è stato generato" in page and "Traceback" not in page


def test_reminders_retry_only_the_addresses_the_mail_server_refused(monkeypatch):
    """Nobody gets the reminder twice when the mail server refuses one address."""
    from collections import namedtuple
    from types import SimpleNamespace

    Late = namedtuple("Late", "email referent indicators")
    objective = SimpleNamespace(number=1, plan=SimpleNamespace(title="PO 2030"))
    late = [Late(email, SimpleNamespace(name=name, objective=objective),
                 [SimpleNamespace(name="N° utenti")])
            for email, name in (("a@example.org", "Anna"), ("b@example.org", "Bruno"))]
    monkeypatch.setattr(indicator_tasks, "late_referents", lambda period_end: late)
    real_send, refusals = indicator_tasks.send_mail, []

    def send_mail(**kwargs):
        if kwargs["recipient_list"] == ["b@example.org"] and len(refusals) < 2:
            refusals.append(1)
            raise smtplib.SMTPRecipientsRefused({"b@example.org": (450, b"mailbox busy")})
        return real_send(**kwargs)

    monkeypatch.setattr(indicator_tasks, "send_mail", send_mail)
    calls = []
    original = indicator_tasks.send_quarter_reminders.retry
    monkeypatch.setattr(indicator_tasks.send_quarter_reminders, "retry",
                        lambda *a, **kw: calls.append(kw) or original(*a, **kw))

    indicator_tasks.send_quarter_reminders.delay("2030-06-30")
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert [c["kwargs"]["only"] for c in calls] == [["b@example.org"], ["b@example.org"]]
    assert all(0 <= c["countdown"] <= 60 * 2 ** n for n, c in enumerate(calls))
