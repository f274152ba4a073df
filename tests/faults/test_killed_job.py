"""A report whose worker dies mid-way: no half file served as ready, and it gets rendered."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from objectives.models import OperatingPlan
from reports import jobs, rendering
from reports.models import ReportJob

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so no handler of the task sees it."""


def _job(world, **fields):
    plan = world.a[OperatingPlan]
    return ReportJob.objects.create(ambito=plan.zone_plan.ambito, operating_plan=plan,
                                    kind="piano-operativo", **fields)


def _pdfs():
    return sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def _download(client, job):
    return client.get(reverse("reports:download", args=[job.pk]))


def test_killed_while_moving_the_file_into_place_leaves_nothing_ready(client, world,
                                                                     monkeypatch):
    client.force_login(world.user("staff_a"))
    job, before = _job(world), _pdfs()

    def killed(source, destination):
        raise WorkerKilled

    monkeypatch.setattr(jobs.os, "replace", killed)
    with pytest.raises(WorkerKilled):
        jobs.report_job_run(job_id=job.pk, task_id="message-1")
    monkeypatch.undo()
    job.refresh_from_db()
    assert job.state == ReportJob.State.RUNNING and not job.file
    assert _pdfs() == before  # no PDF appeared under any name a job could point at
    assert _download(client, job).status_code == 404
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "In elaborazione" in page and "Scarica il PDF" not in page

    # acks_late + reject_on_worker_lost: the broker hands the same message out again.
    redelivered = jobs.report_job_run(job_id=job.pk, task_id="message-1")
    assert redelivered.state == ReportJob.State.READY and redelivered.attempts == 2
    response = _download(client, job)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).rstrip().endswith(b"%%EOF")


def test_killed_while_rendering_is_recovered_by_the_sweep(world, monkeypatch):
    job = _job(world)

    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(rendering, "html_to_pdf", killed)
    with pytest.raises(WorkerKilled):
        jobs.report_job_run(job_id=job.pk, task_id="message-1")
    monkeypatch.undo()

    # Within the limit a running job belongs to its worker: the sweep leaves it alone ...
    assert jobs.report_jobs_sweep()["recovered"] == 0
    # ... past it, the worker is presumed dead and the job is sent again (eager here).
    later = timezone.now() + timedelta(minutes=settings.REPORT_JOB_STUCK_MINUTES + 1)
    counts = jobs.report_jobs_sweep(now=later)
    job.refresh_from_db()
    assert counts["recovered"] == 1 and counts["sent"] == 1
    assert job.state == ReportJob.State.READY and job.attempts == 2
    assert jobs.report_file_is_complete(job)


def test_a_second_message_does_not_render_a_job_another_worker_is_rendering(world,
                                                                             monkeypatch):
    job = _job(world, state=ReportJob.State.RUNNING, started_at=timezone.now(),
               task_id="message-1", attempts=1)

    def refuse(*args, **kwargs):
        raise AssertionError("rendered twice at the same time")

    monkeypatch.setattr(rendering, "render", refuse)
    result = jobs.report_job_run(job_id=job.pk, task_id="message-2")
    assert result.state == ReportJob.State.RUNNING and result.attempts == 1


def test_a_job_that_keeps_killing_its_worker_ends_in_error(client, world):
    job = _job(world, state=ReportJob.State.RUNNING, task_id="message-1",
               attempts=settings.REPORT_JOB_MAX_ATTEMPTS,
               started_at=timezone.now() - timedelta(minutes=settings.REPORT_JOB_STUCK_MINUTES + 1))
    assert jobs.report_jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and job.error == jobs.INTERRUPTED
    client.force_login(world.user("staff_a"))
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "interrotta più volte" in page


@pytest.mark.parametrize("damage", ["truncated", "missing", "not-ready"])
def test_download_never_serves_an_incomplete_report(client, world, damage,
                                                    django_capture_on_commit_callbacks):
    client.force_login(world.user("staff_a"))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.report_job_request(user=world.user("staff_a"), kind="piano-operativo",
                                      target=world.a[OperatingPlan])
    job.refresh_from_db()
    assert _download(client, job).status_code == 200
    storage = job.file.storage
    if damage == "truncated":
        content = storage.open(job.file.name, "rb").read()
        storage.delete(job.file.name)
        storage.save(job.file.name, ContentFile(content[: len(content) // 2]))
    elif damage == "missing":
        storage.delete(job.file.name)
    else:
        ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.State.RUNNING)
    assert _download(client, job).status_code == 404
