"""The admin pages staff use, enumerated from ``admin.site._registry``, and what the two
admin axe modules share (issue 18: axe-core on every admin page, at 1280 and 390 px).

Each registered model is visited as the ufficio staff of ambito alfa (tests/conftest.py's
world) where the staff sees it in the admin, else as the superuser (users, groups, the
login records…): a newly registered model is covered without touching the tests.

The Chromium, the live server's cookie settings and the seeds' reload come from
tests/a11y/conftest.py.
"""

import re
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.planning.conftest import logged_in_page

WIDTHS = [1280, 390]
SHOTS = Path(tempfile.gettempdir()) / "pianozona-admin-a11y"


@dataclass(frozen=True)
class AdminPage:
    name: str  # "budget.BudgetLine change": what a failure names
    role: str  # "staff_a" or "superuser" (world.user)
    url: str


@dataclass
class AdminSite:
    world: object  # tests/conftest.py's World: ambiti alfa and beta, a user per role
    found: list  # model_pages(): (model, role, {view: url})
    audit: "Audit"


@contextmanager
def admin_site(browser, base):
    """The world with a row of every registered model, and a logged-in page at 1280 px for
    the staff of alfa and for the superuser (``Audit.at(width)`` resizes them)."""
    from ..conftest import build_world

    world = build_world()
    found = model_pages(world, extra_objects(world))
    contexts = []
    pages = {}
    try:
        for role, username in (("staff_a", "staff_a"), ("superuser", "root")):
            context, page = logged_in_page(browser, base, username, width=WIDTHS[0])
            contexts.append(context)
            page.base = base
            pages[role] = page
        yield AdminSite(world, found, Audit(pages))
    finally:
        for context in contexts:
            context.close()


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def extra_objects(world):
    """One row of the registered models the world does not build (superuser pages)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token, TokenProxy

    from classification.models import Code, Dimension
    from reports.models import ReportJob

    from ..builders import make_user

    root = world.user("superuser")
    staff = world.user("staff_a")
    Token.objects.create(user=root)
    seen = {"ip_address": "192.0.2.7", "user_agent": "Chromium", "path_info": "/accesso/",
            "http_accept": "text/html"}
    return {
        Group: Group.objects.create(name="Ufficio di Piano"),
        type(staff): staff,
        TokenProxy: TokenProxy.objects.get(user=root),
        AccessAttempt: AccessAttempt.objects.create(username="ignoto", failures_since_start=2,
                                                    get_data="", post_data="", **seen),
        AccessLog: AccessLog.objects.create(username="staff_a", **seen),
        AccessFailureLog: AccessFailureLog.objects.create(username="ignoto", **seen),
        TOTPDevice: TOTPDevice.objects.create(  # not root's: he would be asked the code
            user=make_user("con.telefono"), name="Telefono", confirmed=True),
        Dimension: Dimension.objects.order_by("pk").first(),
        Code: Code.objects.order_by("pk").first(),
        ReportJob: ReportJob.objects.create(
            ambito=world.a.ambito, operating_plan=world.a.objects[_plan_model()],
            kind="piano-operativo", state="done", progress=100, pages=12,
            requested_by=staff, finished_at=timezone.now() + timedelta(minutes=1)),
    }


def _plan_model():
    from objectives.models import OperatingPlan

    return OperatingPlan


def _url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def model_pages(world, objects):
    """(model, role, {view: url}) for every registered model: the pages its user may open."""
    staff_request = _request(world.user("staff_a"))
    root_request = _request(world.user("superuser"))
    found = []
    for model, model_admin in sorted(admin.site._registry.items(),
                                     key=lambda item: item[0]._meta.label):
        if model_admin.has_module_permission(staff_request):
            role, request = "staff_a", staff_request
        else:
            role, request = "superuser", root_request
        obj = world.a.objects.get(model) or objects.get(model)
        if obj is None:
            obj = model_admin.get_queryset(request).order_by("pk").first()
        views = {}
        if model_admin.has_view_or_change_permission(request):
            views["changelist"] = _url(model, "changelist")
        if model_admin.has_add_permission(request):
            views["add"] = _url(model, "add")
        if obj is not None and model_admin.has_view_or_change_permission(request, obj):
            views["change"] = _url(model, "change", obj.pk)
            views["history"] = _url(model, "history", obj.pk)
            history = getattr(obj, "history", None)
            if history is not None and history.exists():
                with suppress(NoReverseMatch):  # an admin that keeps no history form
                    views["history version"] = _url(
                        model, "simple_history", obj.pk, history.order_by("history_id")
                        .first().history_id)
        if obj is not None and model_admin.has_delete_permission(request, obj):
            views["delete"] = _url(model, "delete", obj.pk)
        if hasattr(model_admin, "has_import_permission"):  # django-import-export
            if model_admin.has_import_permission(request):
                views["import"] = _url(model, "import")
            if model_admin.has_export_permission(request):
                views["export"] = _url(model, "export")
        found.append((model, role, views))
    return found


def app_pages(found):
    """The admin's index and each app's index, as the user of the app's first model."""
    pages = [AdminPage("index", "staff_a", reverse("admin:index"))]
    seen = set()
    for model, role, views in found:
        label = model._meta.app_label
        if views and label not in seen:
            seen.add(label)
            pages.append(AdminPage(f"{label} app index", role,
                                   reverse("admin:app_list", args=[label])))
    return pages


def _overflow(page):
    """Pixels the page is wider than the viewport (0: no sideways scrolling of the page)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


class Audit:
    """Pages visited, and every axe violation / broken page, reported together at the end."""

    def __init__(self, pages):
        self.pages = pages
        self.width = WIDTHS[0]
        self.problems = []
        self.visited = 0

    def at(self, width):
        self.width = width
        for page in self.pages.values():
            page.set_viewport_size({"width": width, "height": 900})

    def check(self, page, name, *, staff=True):
        self.visited += 1
        if staff:  # Django's or a package's English left on a page staff read
            english = ENGLISH.findall(page.inner_text("#content"))
            if english:
                self.problems.append(f"{name} @{self.width}: English text {sorted(set(english))}")
        from ..browser import axe_violations

        self.problems += [f"{name} @{self.width}: axe {v}" for v in axe_violations(page)]
        if self.width < 500 and (extra := _overflow(page)) > 0:
            self.problems.append(f"{name} @{self.width}: page {extra} px wider than the screen")

    def visit(self, admin_page, *, shot=None):
        page = self.pages[admin_page.role]
        response = page.goto(page.base + admin_page.url)
        if response is None or response.status != 200:
            status = None if response is None else response.status
            self.problems.append(f"{admin_page.name}: {admin_page.url} answered {status}")
            return None
        self.check(page, admin_page.name, staff=admin_page.role == "staff_a")
        if shot:
            self.shot(page, shot)
        return page

    def shot(self, page, name):
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}-{self.width}.png", full_page=True)

    def visit_models(self, found, views_here):
        """Each model's ``views_here`` at the current width. The history and delete pages
        are one template each whatever the model: every model's are opened at one of the
        two widths, in turn (half the models at 1280, half at 390), to keep the cost."""
        for index, (model, role, views) in enumerate(found):
            for view in views_here:
                if view not in views:
                    continue
                if view in ROTATED and self.width != WIDTHS[index % len(WIDTHS)]:
                    continue
                name = f"{model._meta.label} {view}"
                self.visit(AdminPage(name, role, views[view]), shot=SHOOT.get(name))

    def assert_clean(self):
        assert not self.problems, (
            f"{len(self.problems)} problems on {self.visited} pages:\n" + "\n".join(self.problems))


ROTATED = {"history", "history version", "delete"}

# Words of Django's admin and of its packages (django-simple-history, django-import-export)
# that their Italian catalogs miss or that had no catalog: none may reach a page staff read.
ENGLISH = re.compile(
    r"\b(Choose a date|Revert|Changed by|Change reason|Changes|This exporter|Select all|"
    r"Add another|Save and|Search|History|Delete|Export|Import|Submit|Close|entry|entries|"
    r"None|Object|Date/time|Comment|Historical|Created|Changed|Deleted)\b")

# Pages whose screenshots are kept in SHOTS (looked at by a person, issue 18).
SHOOT = {
    "objectives.OperatingPlan changelist": "plan-changelist",
    "objectives.OperatingPlan change": "plan-change",
    "objectives.Objective change": "objective-change",
    "budget.BudgetLine changelist": "budgetline-changelist",
    "budget.BudgetLine import": "budgetline-import",
}
