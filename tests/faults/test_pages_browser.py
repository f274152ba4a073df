"""The fault pages in a real browser with axe-core (WCAG 2.1 AA), and their screenshots.

No live server: the pages are rendered by Django here and served to Chromium through
Playwright's routing, static files from the finders. So the database keeps its seeds and
the 503 page is exactly what the middleware answers.
"""

import mimetypes
import os
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse

from core.middleware import service_unavailable
from objectives.models import OperatingPlan
from reports.jobs import QUEUE_UNAVAILABLE
from reports.models import ReportJob

from ..browser import check_axe, chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ORIGIN = "http://pianozona.test"
SHOTS = Path(os.environ.get("FAULTS_SCREENSHOTS", "/tmp/faults"))  # noqa: S108 - for people


def _serve_static(route):
    path = route.request.url.removeprefix(ORIGIN)
    if path.startswith("/static/"):
        found = finders.find(path.removeprefix("/static/").split("?")[0])
        if found:
            kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return route.fulfill(path=found, content_type=kind)
    return route.fulfill(status=404, body="")


def show(html, name, *, status=200):
    """Opens ``html`` in Chromium, checks it with axe, saves a screenshot; returns what
    the test wants to read. Rendered beforehand: with Playwright's event loop running, the
    ORM would open another connection, outside the test's transaction."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 700}, locale="it-IT")
        page.route(f"{ORIGIN}/**", _serve_static)
        page.route(f"{ORIGIN}/pagina", lambda route: route.fulfill(
            status=status, body=html, content_type="text/html; charset=utf-8"))
        page.goto(f"{ORIGIN}/pagina")
        check_axe(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        return {
            "h1": page.text_content("h1"),
            "main": page.text_content("main, #content-main"),
            "max_width": page.evaluate(
                "getComputedStyle(document.querySelector('main')).maxWidth"),
        }


def test_the_503_page_is_accessible():
    response = service_unavailable(RequestFactory().get("/piani/"))
    page = show(response.content.decode(), "503", status=503)
    assert page["h1"] == "Servizio temporaneamente non disponibile"
    # Styled by a file, not inline: the CSP forbids inline styles.
    assert page["max_width"] != "none"


def test_the_report_page_with_the_queue_down_is_accessible(client, world):
    plan = world.a[OperatingPlan]
    job = ReportJob.objects.create(ambito=plan.zone_plan.ambito, operating_plan=plan,
                                   kind="piano-operativo", state=ReportJob.State.WAITING,
                                   step="Coda di stampa non raggiungibile")
    client.force_login(world.user("staff_a"))
    html = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    page = show(html, "report-coda-non-raggiungibile")
    assert QUEUE_UNAVAILABLE in page["main"]


def test_the_job_page_follows_the_state_without_reloading(client, world):
    """The queued page fetches itself again and swaps in the new state; no meta refresh."""
    plan = world.a[OperatingPlan]
    job = ReportJob.objects.create(ambito=plan.zone_plan.ambito, operating_plan=plan,
                                   kind="piano-operativo")
    client.force_login(world.user("staff_a"))
    url = reverse("reports:job", args=[job.pk])
    queued = client.get(url).content.decode()
    ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.State.READY, progress=100)
    ready = client.get(url).content.decode()
    answers = [queued, ready]
    with chromium() as browser:
        page = browser.new_page(locale="it-IT")
        page.route(f"{ORIGIN}/**", _serve_static)
        page.route(f"{ORIGIN}/pagina", lambda route: route.fulfill(
            body=answers.pop(0) if len(answers) > 1 else answers[0],
            content_type="text/html; charset=utf-8"))
        page.goto(f"{ORIGIN}/pagina")
        assert page.text_content("#job-state") == "In coda"
        assert page.is_visible("#job-status-pause")
        check_axe(page)
        page.wait_for_function(
            "document.getElementById('job-state').textContent === 'Pronto'", timeout=10000)
        assert page.is_hidden("#job-status-pause")
        assert page.get_attribute("#job-status", "aria-live") == "polite"
        assert page.url == f"{ORIGIN}/pagina"  # updated in place, not reloaded
