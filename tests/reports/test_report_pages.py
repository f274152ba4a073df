"""The report pages in the app's layout: request, progress, download, archive, per role.

The request must answer at once in every configuration: with Celery eager (no broker) the
job is handed to a thread of the process (reports/background.py), not rendered inside the
request. Here the hand-over is recorded instead of run, so the test sees the response
while the job is still queued, then runs the job itself.
"""

import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.timezone import localtime

from objectives.models import OperatingPlan, ZonePlan
from reports import background, rendering
from reports.models import ReportJob

pytestmark = pytest.mark.django_db

READERS = ["staff_a", "referent_a", "assembly_a", "auditor_a"]


@pytest.fixture
def handed_over(settings, monkeypatch):
    """Jobs handed to the report thread, recorded instead of run."""
    settings.REPORT_EAGER_IN_BACKGROUND = True
    calls = []
    monkeypatch.setattr(background, "submit",
                        lambda function, *args, **kwargs: calls.append((function, args, kwargs)))
    return calls


def _ready_job(plan, user, *, content=b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n"):
    job = ReportJob.objects.create(
        ambito=plan.zone_plan.ambito, operating_plan=plan, kind=ReportJob.Kind.OPERATING_PLAN,
        state=ReportJob.State.READY, progress=100, pages=12, requested_by=user,
    )
    job.file.save("po.pdf", ContentFile(content))
    return job


def test_request_answers_while_the_job_is_still_queued(client, world, handed_over,
                                                       django_capture_on_commit_callbacks,
                                                       monkeypatch):
    plan = world.a[OperatingPlan]
    client.force_login(world.user("staff_a"))
    page = reverse("reports:operating_plan", args=[plan.pk])
    real_render = rendering.render
    rendered_in_request = []
    monkeypatch.setattr(rendering, "render",
                        lambda *a, **kw: rendered_in_request.append(a) or real_render(*a, **kw))

    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"kind": "piano-operativo", "variant": "pdf/ua-1"})
    elapsed = time.perf_counter() - started

    job = ReportJob.objects.get(operating_plan=plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job", args=[job.pk])
    assert job.state == ReportJob.State.QUEUED and not job.file
    assert rendered_in_request == [] and len(handed_over) == 1
    assert elapsed < 5, f"the request took {elapsed:.1f} s"

    # The job page while it waits: progress, a link that works without JavaScript.
    content = client.get(response["Location"]).content.decode()
    assert "In coda" in content and 'data-refresh="3000"' in content
    assert 'value="0"' in content and "Aggiorna lo stato" in content
    assert "Vai al contenuto principale" in content  # the app's layout, not the admin's
    assert 'id="header"' not in content

    # The thread's work, run here: the same Celery task, eagerly applied.
    function, args, kwargs = handed_over[0]
    function(*args, **kwargs)
    job.refresh_from_db()
    assert job.state == ReportJob.State.READY and job.pages >= 3
    assert len(rendered_in_request) == 1
    content = client.get(response["Location"]).content.decode()
    assert "Pronto" in content and "Scarica il PDF" in content
    assert "data-refresh" not in content and "Aggiorna lo stato" not in content
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_background_thread_runs_outside_the_caller(settings):
    settings.REPORT_LOCAL_THREADS = 1
    ran_in = background.submit(lambda: threading.current_thread().name).result(timeout=10)
    assert ran_in.startswith("report") and ran_in != threading.current_thread().name
    failing = background.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result(timeout=10)


def test_progress_of_a_running_job(client, world):
    plan = world.a[OperatingPlan]
    job = ReportJob.objects.create(ambito=plan.zone_plan.ambito, operating_plan=plan,
                                   kind="consuntivo", state=ReportJob.State.RUNNING,
                                   progress=40, step="Impaginazione")
    client.force_login(world.user("assembly_a"))
    content = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "In elaborazione" in content and "Impaginazione" in content
    assert 'value="40"' in content and "40%" in content
    assert f'href="{reverse("reports:job", args=[job.pk])}"' in content  # no-JS refresh


def test_archive_lists_who_when_size_and_state(client, world):
    plan = world.a[OperatingPlan]
    staff = world.user("staff_a")
    staff.first_name, staff.last_name = "Giulia", "Ferrari"
    staff.save()
    ready = _ready_job(plan, staff)
    ReportJob.objects.create(ambito=plan.zone_plan.ambito, operating_plan=plan,
                             kind="consuntivo", state=ReportJob.State.FAILED,
                             error="carta esaurita", requested_by=world.user("referent_a"))
    other = world.b[OperatingPlan]
    _ready_job(other, world.user("staff_b"))
    client.force_login(world.user("auditor_a"))
    content = client.get(reverse("reports:operating_plan", args=[plan.pk])).content.decode()
    archive = content[content.index('id="archivio"'):]
    assert "Giulia Ferrari" in archive and "referent_a" in archive
    assert localtime(ready.created_at).strftime("%d/%m/%Y %H:%M") in archive
    assert "2,0\xa0KB" in archive or "2,0 KB" in archive  # 2,017 bytes
    assert "12 pag." in archive and "Errore" in archive and "non generato" in archive
    assert reverse("reports:download", args=[ready.pk]) in archive
    assert "staff_b" not in content and "beta" not in content.lower()
    assert 'role="region"' in content and 'aria-label="Archivio dei report"' in content


def test_archive_says_when_a_file_is_gone(client, world):
    plan = world.a[OperatingPlan]
    job = _ready_job(plan, world.user("staff_a"))
    job.file.storage.delete(job.file.name)
    client.force_login(world.user("staff_a"))
    content = client.get(reverse("reports:operating_plan", args=[plan.pk])).content.decode()
    assert "file non più disponibile" in content
    assert reverse("reports:download", args=[job.pk]) not in content


@pytest.mark.parametrize("role", READERS)
def test_every_reader_of_the_plan_requests_and_downloads(client, world, role, handed_over,
                                                        django_capture_on_commit_callbacks):
    plan = world.a[OperatingPlan]
    ready = _ready_job(plan, world.user("staff_a"))
    client.force_login(world.user(role))
    page = reverse("reports:operating_plan", args=[plan.pk])
    content = client.get(page).content.decode()
    assert "Richiedi il report" in content and "Relazione Consuntivo" in content
    assert reverse("reports:zone_plan", args=[plan.zone_plan.pk]) in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"kind": "consuntivo", "variant": "pdf/a-3b"})
    job = ReportJob.objects.exclude(pk=ready.pk).get()
    assert response.status_code == 302 and job.requested_by == world.user(role)
    assert job.kind == "consuntivo" and job.variant == "pdf/a-3b"
    assert client.get(reverse("reports:download", args=[ready.pk])).status_code == 200


@pytest.mark.parametrize("role", ["staff_b", "nobody"])
def test_other_ambito_is_refused_and_nothing_is_queued(client, world, role, handed_over,
                                                       django_capture_on_commit_callbacks):
    plan = world.a[OperatingPlan]
    ready = _ready_job(plan, world.user("staff_a"))
    client.force_login(world.user(role))
    page = reverse("reports:operating_plan", args=[plan.pk])
    assert client.get(page).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page, {"kind": "piano-operativo",
                                  "variant": "pdf/ua-1"}).status_code == 404
    zone_page = reverse("reports:zone_plan", args=[world.a[ZonePlan].pk])
    assert client.post(zone_page, {"kind": "piano-di-zona",
                                   "variant": "pdf/ua-1"}).status_code == 404
    assert list(ReportJob.objects.values_list("pk", flat=True)) == [ready.pk]
    assert handed_over == []
    for name in ("reports:job", "reports:download"):
        assert client.get(reverse(name, args=[ready.pk])).status_code == 404
    index = client.get(reverse("reports:index")).content.decode()
    assert plan.title not in index and reverse("reports:job", args=[ready.pk]) not in index


def test_anonymous_goes_to_the_apps_login(client, world):
    plan = world.a[OperatingPlan]
    for url in (reverse("reports:index"), reverse("reports:operating_plan", args=[plan.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("entry:login"))


def test_bad_kind_is_refused_in_italian(client, world, handed_over):
    plan = world.a[OperatingPlan]
    client.force_login(world.user("staff_a"))
    response = client.post(reverse("reports:operating_plan", args=[plan.pk]),
                           {"kind": "bilancio", "variant": "pdf/ua-1"})
    assert response.status_code == 200
    assert "Scegli un&#x27;opzione valida" in response.content.decode()
    assert not ReportJob.objects.exists() and handed_over == []


def test_plan_page_and_dashboard_link_to_the_reports(client, world):
    plan = world.a[OperatingPlan]
    client.force_login(world.user("assembly_a"))
    target = reverse("reports:operating_plan", args=[plan.pk])
    for name in ("objectives:plan_detail", "objectives:dashboard"):
        content = client.get(reverse(name, args=[plan.pk])).content.decode()
        assert f'href="{target}"' in content, name


def test_index_lists_the_plans_of_the_users_ambiti(client, world):
    client.force_login(world.user("referent_a"))
    content = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:operating_plan", args=[world.a[OperatingPlan].pk]) in content
    assert reverse("reports:zone_plan", args=[world.a[ZonePlan].pk]) in content
    assert reverse("reports:operating_plan", args=[world.b[OperatingPlan].pk]) not in content
    assert "Vai al contenuto principale" in content
