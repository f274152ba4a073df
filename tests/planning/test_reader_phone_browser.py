"""Issue 18, the readers on a phone: the revisore, the sindaco (Assemblea) and a referente of
the cremasco ambito walk the pages they can open at 390 px, following the app's links from
the list of plans: plan list, plan page, cruscotto, the budget read view of an objective,
the quarterly read view, the reports page (one page per URL shape).

On each page: nothing wider than the screen, no axe-core violation of any impact, no
form field in a read view ("Sola lettura."), and every link the page offers them (admin
and downloads included) answers something other than 403.

The live server needs committed data, so this test flushes the database; the seed
documents are loaded again when the module ends.
"""

import os
import re
from urllib.parse import urljoin, urlparse

import pytest

from core.roles import Role
from governance.models import Ambito
from objectives.models import Referent
from tests.browser import axe_violations
from tests.builders import make_user

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("reload_seeds_afterwards")]

WIDTH = 390
SHOTS = os.environ.get("READER_SHOTS")
# The shapes walked: what a reader reads. Other links are only checked for their answer.
WALK = re.compile(r"^/(piani/(\d+/((cruscotto|rilevazioni/\d+)/)?)?|obiettivi/\d+/budget/"
                  r"|report/)$")
MUST_SEE = {"/piani/", "/piani/N/", "/piani/N/cruscotto/", "/piani/N/rilevazioni/N/",
            "/obiettivi/N/budget/", "/report/"}
READ_VIEWS = {"/obiettivi/N/budget/", "/piani/N/rilevazioni/N/"}
NOT_CHECKED = re.compile(r"/(uscita|static|media)/")
LINKS_PER_SHAPE = 2  # links checked for their answer, per URL shape and reader
FIELDS = "main input:not([type=hidden]), main select, main textarea"
READERS = {"revisore_test": Role.AUDITOR, "sindaco_test": Role.ASSEMBLY,
           "referente_test": Role.REFERENT}


def _shape(url):
    return re.sub(r"\d+", "N", urlparse(url).path)


def _readers():
    """The seeds (flushed by another live-server module that ran first) and the readers; the
    referente answers for the first objective of the earliest cremasco plan, as the demo's."""
    if not Ambito.objects.filter(slug="cremasco").exists():
        from seeds.loader import load_all

        load_all(force=True)
    cremasco = Ambito.objects.get(slug="cremasco")
    for username, role in READERS.items():
        make_user(username, ambito=cremasco, role=role)
    referent = (Referent.objects.filter(objective__plan__zone_plan__ambito=cremasco)
                .select_related("objective__plan")
                .order_by("objective__plan__year", "objective__number", "position").first())
    Referent.objects.filter(pk=referent.pk).update(user=_user("referente_test"))
    return referent.objective.plan


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _walk(page, start, problems, audited):
    """Walk the reader's pages from ``start`` (a list of URLs); returns the shapes seen.
    ``audited``: the contents already given to axe-core (the same for two readers of a read
    view), not audited twice."""
    base = page.base
    queue, seen, checked = list(start), {}, {}
    who = page.who
    while queue:
        url = queue.pop(0)
        shape = _shape(url)
        if shape in seen or not WALK.match(urlparse(url).path):
            continue
        response = page.goto(url)
        seen[shape] = url
        if response.status != 200:
            problems.append(f"{who} {url}: HTTP {response.status}")
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            problems.append(f"{who} {url}: {width} px wide")
        content = hash(page.eval_on_selector("main", "e => e.innerHTML"))
        if content not in audited:
            audited.add(content)
            problems += [f"{who} {url}: axe {v}" for v in axe_violations(page)]
        if SHOTS:  # to look at them: READER_SHOTS=/some/dir
            page.screenshot(path=f"{SHOTS}/{who}{shape.replace('/', '_')}.png")
        read_view = page.locator("#read-only-note").count() == 1
        if shape in READ_VIEWS and page.who != "referente_test" and not read_view:
            problems.append(f"{who} {url}: not a read view")
        if read_view and page.locator(FIELDS).count():
            problems.append(f"{who} {url}: {page.locator(FIELDS).count()} form fields")
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            target = urljoin(url, href).split("#")[0]
            if urlparse(target).netloc != urlparse(base).netloc or NOT_CHECKED.search(target):
                continue
            queue.append(target)
            bucket = checked.setdefault(_shape(target), set())
            if target in bucket or len(bucket) >= LINKS_PER_SHAPE:
                continue
            bucket.add(target)
            status = page.request.get(target, max_redirects=0).status
            if status in (403, 404) or status >= 500:
                problems.append(f"{who} {url} offers {target}: HTTP {status}")
    return seen


def test_readers_walk_their_pages_on_a_phone(open_page):
    plan = _readers()
    problems, audited = [], set()
    for username in READERS:
        page = open_page(username, width=WIDTH)
        page.who = username
        # The plan with the referente's objective first: its links are walked before others.
        start = [f"{page.base}/piani/{plan.pk}/", f"{page.base}/piani/{plan.pk}/cruscotto/",
                 f"{page.base}/piani/"]
        seen = _walk(page, start, problems, audited)
        missing = MUST_SEE - set(seen)
        if missing:
            problems.append(f"{username}: not reached {sorted(missing)}")
    assert not problems, "\n".join(problems)
