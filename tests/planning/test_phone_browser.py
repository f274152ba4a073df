"""Issue 18, the phone: every page of the app at 390 px as the cremasco Ufficio di Piano.

The pages are found by walking the links of the app from the list of plans (one page per
URL shape: /piani/N/ once, not once per plan), as a person would, never the admin nor the
API nor downloads. On each: nothing wider than the screen
(``document.documentElement.scrollWidth <= 390``), no axe-core violation of any impact
(wide tables scroll inside a named, focusable region), and on the long pages an
index whose every jump link lands on an element, with links back to it.

The live server needs committed data, so this test flushes the database; the seed
documents are loaded again when the module ends.
"""

import re
import threading
import time
from urllib.parse import urljoin, urlparse

import pytest
from django.core.files.base import ContentFile

from core.roles import Role
from governance.models import Ambito
from objectives.models import OperatingPlan
from reports import rendering
from reports.models import ReportJob
from tests.browser import axe_violations
from tests.builders import build_ambito, make_user

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("reload_seeds_afterwards")]

WIDTH = 390
MAX_PAGES = 45
SKIP = re.compile(r"/(admin|api|uscita|accesso|static|media|sicurezza)/|esporta|scarica|healthz"
                  r"|elimina|/privacy/|modello|\.(xlsx|csv|pdf|json)$")
# The main pages must be among those walked (one of each shape).
MUST_SEE = {"/piani/", "/piani/N/", "/piani/N/cruscotto/", "/piani/N/rilevazioni/N/",
            "/obiettivi/N/", "/obiettivi/N/budget/", "/report/", "/report/piano-operativo/N/",
            "/report/piano-di-zona/N/", "/report/richieste/N/"}
LONG_PAGES = {"/piani/N/cruscotto/", "/piani/N/rilevazioni/N/"}


def _shape(url):
    return re.sub(r"\d+", "N", urlparse(url).path)


def _seeds_present():
    """The other test of the module may have run first and flushed the seeds (and the
    classification codes the builders use)."""
    if not Ambito.objects.filter(slug="cremasco").exists():
        from seeds.loader import load_all

        load_all(force=True)


def test_every_page_fits_a_phone(open_page):
    _seeds_present()
    cremasco = Ambito.objects.get(slug="cremasco")
    make_user("ufficio_test", ambito=cremasco, role=Role.STAFF)
    plan = OperatingPlan.objects.filter(zone_plan__ambito=cremasco).order_by("-year").first()
    job = ReportJob.objects.create(ambito=cremasco, operating_plan=plan, kind="piano-operativo",
                                   state=ReportJob.State.READY, progress=100, pages=3)
    job.file.save("po.pdf", ContentFile(b"%PDF-1.7\n" + b"0" * 100 + b"\n%%EOF\n"))

    page = open_page("ufficio_test", width=WIDTH)
    base = page.base
    queue, seen, problems = [f"{base}/piani/"], {}, []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        shape = _shape(url)
        if shape in seen:
            continue
        response = page.goto(url)
        seen[shape] = url
        if response.status != 200:
            problems.append(f"{url}: HTTP {response.status}")
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            culprits = page.evaluate(
                "w => [...document.querySelectorAll('main *')].filter(e => "
                "e.getBoundingClientRect().right > w + 1 && !e.closest('.table-responsive'))"
                ".slice(0, 3).map(e => e.tagName + '.' + e.className)", WIDTH)
            problems.append(f"{url}: {width} px wide ({culprits})")
        problems += [f"{url}: axe {v}" for v in axe_violations(page)]
        if shape in LONG_PAGES:
            targets = page.eval_on_selector_all("#indice a[href^='#']",
                                                "els => els.map(e => e.getAttribute('href'))")
            missing = [t for t in targets if page.locator(t).count() != 1]
            if len(targets) < 3 or missing:
                problems.append(f"{url}: index {targets[:5]}…, targets missing {missing}")
            if page.locator("a.to-index, .to-index a").count() < 2:
                problems.append(f"{url}: no links back to the index")
        for href in page.eval_on_selector_all("main a[href], nav a[href]",
                                              "els => els.map(e => e.getAttribute('href'))"):
            target = urljoin(url, href).split("#")[0]
            if urlparse(target).netloc == urlparse(base).netloc and not SKIP.search(target):
                queue.append(target)

    assert not MUST_SEE - set(seen), f"not reached: {MUST_SEE - set(seen)}"
    assert not problems, "\n".join(problems)
    assert len(seen) >= 20, sorted(seen)


def test_report_request_answers_while_the_thread_renders(open_page, settings, monkeypatch):
    """No broker, the embedded default: "Richiedi il report" answers while the PDF is still
    being made by the report thread (its render held here until the page has answered),
    the job page follows it without a reload and offers the download once it is ready."""
    settings.REPORT_EAGER_IN_BACKGROUND = True
    release, entered = threading.Event(), threading.Event()

    def held_render(kind, target, *, variant, data, on_step=None):
        entered.set()
        on_step(40, "Impaginazione")
        assert release.wait(60), "the test never released the render"
        pdf = b"%PDF-1.7\n" + b"0" * 500 + b"\n%%EOF\n"
        return rendering.Rendered(pdf=pdf, pages=7, html="", data_version=data.data_version,
                                  timings={})

    monkeypatch.setattr(rendering, "render", held_render)
    _seeds_present()
    alfa = build_ambito("alfa")
    make_user("ufficio_report", ambito=alfa.ambito, role=Role.STAFF)
    plan = alfa[OperatingPlan]
    page = open_page("ufficio_report", width=WIDTH)
    page.goto(f"{page.base}/piani/{plan.pk}/")
    page.locator("main").get_by_role("link", name="Report PDF", exact=True).click()
    page.select_option("#id_kind", "piano-operativo")
    started = time.perf_counter()
    page.get_by_role("button", name="Richiedi il report").click()
    page.wait_for_url(re.compile(r"/report/richieste/\d+/$"))
    answered = time.perf_counter() - started
    assert entered.wait(30), "the report thread never started"
    assert answered < 5, f"the request took {answered:.1f} s"
    state = page.locator("#job-state").inner_text()
    assert state in ("In coda", "In elaborazione"), state
    assert page.get_by_role("link", name="Aggiorna lo stato").count() == 1
    job = ReportJob.objects.get(operating_plan=plan)
    assert job.state == ReportJob.State.RUNNING and not job.file
    release.set()
    page.get_by_role("link", name="Scarica il PDF").wait_for(timeout=30_000)  # polled, no reload
    job.refresh_from_db()
    assert job.state == ReportJob.State.READY and job.pages == 7
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.goto(f"{page.base}/report/piano-operativo/{plan.pk}/")
    archive = page.locator("#archivio").inner_text()
    assert "ufficio_report" in archive and "Pronto" in archive and "7 pag." in archive
