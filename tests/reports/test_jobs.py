"""Report jobs: queued, rendered by (eager) Celery, reused when the data did not change."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import BudgetLine
from objectives.models import OperatingPlan, ZonePlan
from reports import jobs, rendering
from reports.models import ReportJob

pytestmark = pytest.mark.django_db


def _request(user, target, kind="piano-operativo", capture=None, **kw):
    with capture(execute=True):
        job = jobs.report_job_request(user=user, kind=kind, target=target, **kw)
    job.refresh_from_db()
    return job


def test_lifecycle_and_reuse(world, django_capture_on_commit_callbacks, monkeypatch):
    plan = world.a[OperatingPlan]
    user = world.user("staff_a")
    job = _request(user, plan, capture=django_capture_on_commit_callbacks)
    assert job.state == ReportJob.State.READY and job.progress == 100
    assert job.file.read(4) == b"%PDF" and job.pages >= 3
    assert len(job.data_version) == 64 and not job.reused

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged plan must not be rendered again")

    monkeypatch.setattr(rendering, "render", refuse)
    again = _request(user, plan, capture=django_capture_on_commit_callbacks)
    assert again.pk != job.pk and again.reused
    assert again.state == ReportJob.State.READY and again.file.name == job.file.name
    monkeypatch.undo()

    line = world.a[BudgetLine]
    line.preventivo = Decimal("99.00")
    line.save()
    changed = _request(user, plan, capture=django_capture_on_commit_callbacks)
    assert not changed.reused and changed.data_version != job.data_version
    assert changed.file.name != job.file.name

    archive = _request(user, plan, capture=django_capture_on_commit_callbacks,
                       variant=ReportJob.Variant.ARCHIVE)
    assert not archive.reused and archive.file.name.endswith(".pdf")


def test_failure_is_recorded_with_its_reason(world, django_capture_on_commit_callbacks,
                                             monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("carta esaurita")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)
    job = _request(world.user("staff_a"), world.a[ZonePlan], kind="piano-di-zona",
                   capture=django_capture_on_commit_callbacks)
    assert job.state == ReportJob.State.FAILED
    assert "carta esaurita" in job.error and not job.file


def test_pages_and_permissions(client, world, django_capture_on_commit_callbacks):
    plan = world.a[OperatingPlan]
    client.force_login(world.user("staff_a"))
    assert client.get(reverse("reports:index")).status_code == 200
    page = reverse("reports:operating_plan", args=[plan.pk])
    assert "Richiedi il report" in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"kind": "consuntivo", "variant": "pdf/ua-1"})
    job = ReportJob.objects.get(operating_plan=plan)
    assert response.status_code == 302 and response["Location"] == reverse("reports:job",
                                                                           args=[job.pk])
    detail = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "Pronto" in detail and "Scarica il PDF" in detail
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    client.force_login(world.user("auditor_a"))  # reads its ambito: may download
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 200
    client.force_login(world.user("staff_b"))  # another ambito: the job does not exist
    for name in ("reports:job", "reports:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.get(page).status_code == 404
    client.logout()
    response = client.get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("entry:login"))


def test_pending_job_page_updates_its_state_without_reloading(client, world):
    plan = world.a[OperatingPlan]
    job = ReportJob.objects.create(ambito=plan.zone_plan.ambito, operating_plan=plan,
                                   kind="piano-operativo")
    client.force_login(world.user("staff_a"))
    content = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "In coda" in content and 'data-refresh="3000"' in content
    assert "report-job.js" in content and 'http-equiv="refresh"' not in content
    ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.State.READY)
    content = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "data-refresh" not in content and "report-job.js" not in content


def test_admin_lists_only_own_jobs(client, world):
    plan_a, plan_b = world.a[OperatingPlan], world.b[OperatingPlan]
    ReportJob.objects.create(ambito=plan_a.zone_plan.ambito, operating_plan=plan_a,
                             kind="piano-operativo")
    ReportJob.objects.create(ambito=plan_b.zone_plan.ambito, operating_plan=plan_b,
                             kind="piano-operativo")
    client.force_login(world.user("staff_a"))
    response = client.get(reverse("admin:reports_reportjob_changelist"))
    assert response.status_code == 200
    assert str(plan_a) in response.content.decode() and str(plan_b) not in response.content.decode()
    assert reverse("reports:index") in response.content.decode()
