"""Every page of the app, generated from the URL resolver, in Chromium at 1280 and 390 px.

The pages are the named URL patterns of the project outside the admin and the API (the
admin's pages have tests of their own, the API answers JSON). For each the sample URL and
the roles that read it come from the access matrix (tests/security/test_access_matrix.py,
``PAGES``), where every new URL must be declared anyway: a new page is audited as soon as
it exists. A pattern that answers no page (POST only, a redirect, a download) is named in
``NOT_PAGES`` or ``DOWNLOADS`` with the reason; anything else without a reader fails the
test, naming the pattern.

On each page, for each role of ambito A that reads it (Ufficio di Piano, referente,
Assemblea, revisore), at 1280 and then 390 px: axe-core finds no violation of WCAG 2.1 AA
of any impact, and nothing is wider than the screen (``scrollWidth`` of the document). A
role that gets the same content as another at the same width (their name in the header
aside) is not audited twice.

The error pages are audited too (400, 403 with the reason, 404, 500, 503, refused CSRF):
tests/a11y/urls.py adds the views that produce the ones a browser cannot reach on purpose.

``A11Y_SHOTS=/some/dir`` keeps a screenshot of every page audited (to look at them).
"""

import hashlib
import os
import re
from dataclasses import dataclass, field

from django.urls import get_resolver
from django.urls import reverse as django_reverse

from tests.planning.conftest import logged_in_page

WIDTHS = (1280, 390)
ROLES = ("staff_a", "referent_a", "assembly_a", "auditor_a")
SHOTS = os.environ.get("A11Y_SHOTS")

# Patterns that are not pages: what a GET does instead. Named one by one.
NOT_PAGES = {
    "path:": "redirects to the list of plans",
    "healthz": "plain-text liveness answer",
    "path:admin/login/": "the admin's login (admin pages: tests of their own)",
    "entry:logout": "POST only",
    "indicators:quarter_current": "redirects to the current quarter's page",
    "planning:structure_move": "POST only",
    "planning:structure_section_move": "POST only",
    "planning:closing_start": "POST only",
    "planning:closing_link": "POST only",
    "planning:closing_approve": "GET redirects to the closing page",
    "planning:closing_reopen": "POST only",
    "planning:closing_close": "GET redirects to the closing page",
    "planning:consuntivo_import": "approved plans only; the plans of this world are drafts",
    "returns:send": "POST only",
}
# Patterns that answer a file, not a page.
DOWNLOADS = {"budget:export", "indicators:export", "reports:download", "planning:act_file",
             "planning:carry_budget_export", "planning:spending_export", "returns:download",
             "returns:sent_file"}
# Pages for anonymous visitors (the access matrix's ``anon="ok"``).
ANONYMOUS = "anonymous"

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
OVERFLOW_CULPRITS = """w => [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > w + 1 && r.width > 0 && !e.closest('.table-responsive');
  }).slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.')
       : ''))"""

# Pages whose tables must reflow into cards on a phone (phone.css ``table-reflow``).
REFLOWING = {"objectives:dashboard": "table.table-reflow#indicator-table",
             "objectives:plan_list": "table.table-reflow",
             "objectives:plan_detail": "table.table-reflow#objectives-table",
             "objectives:objective_detail": "table.table-reflow#budget-table",
             "reports:operating_plan": "table.table-reflow#archivio",
             "budget:entry": "table.table-reflow#budget-read, #budget-form",
             "indicators:quarter": "table.table-reflow, #quarter-form"}
REFLOW_CHECK = """() => [...document.querySelectorAll('table.table-reflow')].filter(t => {
    const box = t.parentElement, row = t.querySelector('tbody tr');
    return box.scrollWidth > box.clientWidth + 1 || t.getBoundingClientRect().right
      > window.innerWidth || (row && getComputedStyle(row).display === 'table-row');
  }).map(t => t.id || t.className)"""

# What makes two roles' pages the same for axe-core: the main content and the navigation.
SAME_CONTENT = """() => (document.querySelector('main') || document.body).outerHTML
  + [...document.querySelectorAll('nav a, footer a')]
    .map(a => a.getAttribute('href') + a.textContent).join('|')"""


def app_page_names():
    """The project's URL patterns that are not the admin's nor the API's."""
    from tests.security.test_access_matrix import (
        ALLOWED_THIRD_PARTY,
        _walk,
        admin_names,
        api_names,
    )

    others = admin_names() | api_names() | ALLOWED_THIRD_PARTY
    found = set(_walk(get_resolver("pianozona.urls").url_patterns))
    return sorted(name for name in found - others if not name.startswith("admin:"))


def namespace(name):
    return name.split(":", 1)[0] if ":" in name else ""


@dataclass
class Visit:
    name: str
    url: str
    role: str  # a role of the world or ANONYMOUS


@dataclass
class Audit:
    problems: list = field(default_factory=list)
    audited: set = field(default_factory=set)  # (width, content hash)
    pages: int = 0  # axe-core runs

    def report(self):
        return "\n".join(self.problems)


def plan_visits(env, names):
    """The visits for ``names`` (problems for the patterns with no sample)."""
    from tests.security.test_access_matrix import PAGES, _reverse

    visits, problems = [], []
    for name in names:
        if name in NOT_PAGES:
            continue
        page = PAGES.get(name)
        if page is None:
            problems.append(f"{name}: not in the access matrix, no sample URL")
            continue
        url = _reverse(name, page.args(env, "a") if page.args else None)
        roles = [role for role in ROLES if role in page.readers and page.ok == "ok"]
        if page.anon == "ok":
            roles.append(ANONYMOUS)
        if not roles:
            problems.append(f"{name} ({url}): no role reads it; declare it in NOT_PAGES "
                            f"(tests/a11y/support.py) with the reason")
        visits += [Visit(name, url, role) for role in roles]
    return visits, problems


def error_visits(env):
    """The error pages: a refused reader (403 with the reason), a missing plan (404), and
    those of tests/a11y/urls.py."""
    from objectives.models import OperatingPlan

    plan = env.obj("a", OperatingPlan)
    return [
        Visit("403", django_reverse("returns:returns", args=[plan.pk]), "auditor_a"),
        Visit("404", "/piani/999999/", "staff_a"),
        Visit("400", "/_a11y/400/", "staff_a"),
        Visit("500", "/_a11y/500/", "staff_a"),
        Visit("503", "/_a11y/503/", "staff_a"),
        Visit("403_csrf", "/_a11y/403-csrf/", "staff_a"),
        Visit("404 anonymous", "/non-esiste/", ANONYMOUS),
    ]


def expected_status(visit):
    digits = visit.name.split("_")[0].split(" ")[0]
    return int(digits) if digits.isdigit() else 200


def audit_page(page, visit, width, audit):
    """Open ``visit`` in ``page`` (already at ``width``) and check it."""
    from tests.browser import axe_violations

    where = f"{visit.name} {visit.url} as {visit.role} at {width}px"
    if visit.name in DOWNLOADS:
        if width == WIDTHS[0]:  # a file: fetched once, not opened
            response = page.request.get(page.base + visit.url, max_redirects=0)
            content_type = response.headers.get("content-type", "")
            if response.status != 200 or content_type.startswith("text/html"):
                audit.problems.append(f"{where}: declared as a download, answers "
                                      f"{response.status} {content_type}")
        return
    response = page.goto(page.base + visit.url)
    expected = expected_status(visit)
    if response is None or response.status != expected:
        audit.problems.append(f"{where}: HTTP {response and response.status}, "
                              f"expected {expected}")
        return
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("text/html"):
        audit.problems.append(f"{where}: answers {content_type}; declare it in DOWNLOADS")
        return
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        culprits = page.evaluate(OVERFLOW_CULPRITS, width)
        audit.problems.append(f"{where}: {scroll} px wide ({culprits})")
    if width < 768:  # phone.css: reflowing tables are cards, never a box to scroll
        if visit.name in REFLOWING and not page.locator(REFLOWING[visit.name]).count():
            audit.problems.append(f"{where}: no {REFLOWING[visit.name]}")
        unreflowed = page.evaluate(REFLOW_CHECK)
        if unreflowed:
            audit.problems.append(f"{where}: tables not reflowed into cards {unreflowed}")
    # The same content for another role (the name in the header aside) is not audited again.
    html = CSRF.sub("", page.evaluate(SAME_CONTENT))
    key = (width, hashlib.sha256(html.encode()).hexdigest())
    if key in audit.audited:
        return
    audit.audited.add(key)
    if SHOTS:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{visit.name}-{visit.role}".lower())
        page.screenshot(path=f"{SHOTS}/{slug}-{width}.png", full_page=True)
    found = axe_violations(page)
    audit.pages += 1
    audit.problems += [f"{where}: axe {violation}" for violation in found]


def role_page(browser, base, role, width):
    """A page of a new context, logged in as ``role`` unless anonymous."""
    if role == ANONYMOUS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT")
        page = context.new_page()
        page.set_default_timeout(20_000)
    else:
        context, page = logged_in_page(browser, base, role, width=width, timeout=20_000)
    page.base = base
    return context, page


def run_visits(browser, base, visits, audit):
    """Each role's visits in one logged-in page, at each width."""
    by_role = {}
    for visit in visits:
        by_role.setdefault(visit.role, []).append(visit)
    for role, mine in by_role.items():
        context, page = role_page(browser, base, role, WIDTHS[0])
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for visit in mine:
                    audit_page(page, visit, width, audit)
        finally:
            context.close()


def make_env(world):
    """The access matrix's environment for the sample URLs: the world and a report job."""
    from django.core.files.base import ContentFile

    from objectives.models import OperatingPlan
    from reports.models import ReportJob
    from tests.security.test_access_matrix import Env

    jobs = {}
    for side, data in (("a", world.a), ("b", world.b)):
        job = ReportJob.objects.create(
            ambito=data.ambito, operating_plan=data[OperatingPlan],
            kind=ReportJob.Kind.OPERATING_PLAN, state=ReportJob.State.READY, progress=100,
            pages=3, data_version=f"v-{side}")
        job.file.save(f"po-{side}.pdf", ContentFile(b"%PDF-1.4\n" + b"0" * 64 + b"\n%%EOF\n"))
        jobs[side] = job
    return Env(world, {}, {}, jobs, None)


# The three modules that share the pages (pytest-xdist gives each module to one worker).
GROUPS = {"reading": {"objectives", "budget", "indicators"}, "planning": {"planning"}}


def group_names(group):
    """The page names of ``group``; "other" takes whatever the named groups do not."""
    names = app_page_names()
    if group == "other":
        taken = set().union(*GROUPS.values())
        return [n for n in names if namespace(n) not in taken]
    return [n for n in names if namespace(n) in GROUPS[group]]


def check_group(group, world, browser, live_server, *, errors=False):
    env = make_env(world)
    visits, problems = plan_visits(env, group_names(group))
    if errors:
        visits += error_visits(env)
    audit = Audit(problems=problems)
    run_visits(browser, live_server.url, visits, audit)
    assert audit.pages >= len({v.name for v in visits}) // 2, audit.pages  # axe ran
    assert not audit.problems, f"{len(audit.problems)} problems:\n" + audit.report()
    return audit


def audit_catches_a_moderate_violation(browser, base):
    """The audit itself: a heading level skipped (axe ``heading-order``, moderate impact)
    slipped into the privacy page is reported, and the page as served is not."""
    context, page = role_page(browser, base, ANONYMOUS, WIDTHS[1])
    try:
        def skipped_level(route):
            body = route.fetch().text()
            route.fulfill(body=body.replace("</h1>", "</h1><h4>Livello saltato</h4>", 1),
                          content_type="text/html; charset=utf-8")

        found = []
        for tampered in (False, True):
            if tampered:
                page.route("**/privacy/", skipped_level)
            audit = Audit()
            audit_page(page, Visit("privacy", "/privacy/", ANONYMOUS), WIDTHS[1], audit)
            found.append(audit.problems)
        return found
    finally:
        context.close()
