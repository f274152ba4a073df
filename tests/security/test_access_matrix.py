"""Every URL of the app × every role × read and write: the complete access matrix.

Every URL pattern the resolver knows must be declared here (pages, admin, API), or be on
the commented allow-list of third-party views that hold no data of ours:
``test_every_url_pattern_is_declared`` fails naming any pattern that is neither, so the
matrix stays complete as the app grows.

For each declared pattern and each role the tests assert the exact outcome of a read
(GET) and of the writes the URL accepts, for an object of ambito A and for the same kind
of object of ambito B guessed by the users of A; a refused write leaves the data as it
was, and no response to a user carries names of an ambito they have no role in.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.admin import TokenProxy
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from simple_history.admin import SimpleHistoryAdmin

from budget.models import BudgetLine
from core.scoping import ScopedModel
from governance.models import Membership
from indicators.models import Indicator, Measurement
from objectives.models import Objective, OperatingPlan, ZonePlan
from pianozona.api.urls import router
from reports.models import ReportJob
from returns.models import SentReturn
from tests.entry.conftest import budget_post, quarter_post

from ..expectations import (
    ALL_ROLES,
    APPROVERS_A,
    MEASUREMENT_WRITERS_A,
    PLAN_PAGE_READERS_A,
    PLAN_WRITERS_A,
    VIEW_A,
    VIEW_B,
    may_add,
    may_change_a,
    mirror_b,
)
from .conftest import CELLS, CELLS_BY_URL, count_cell

A_USERS = ["staff_a", "referent_a", "assembly_a", "auditor_a"]
A_WRITERS = ["staff_a", "referent_a"]

# Names only the data of one side carries (tests/builders.py names everything after the
# ambito's slug); the seed documents' ambiti are foreign to everybody but the superuser.
SIDE_MARK = {"a": re.compile(r"\balfa\b", re.I), "b": re.compile(r"\bbeta\b", re.I)}
SEED_MARK = re.compile(r"\b(cremasco|cremona)\b", re.I)


# ---------------------------------------------------------------------------------------
# The world of the module: clients per role, report jobs, a group.
# ---------------------------------------------------------------------------------------


@dataclass
class Env:
    world: object
    clients: dict
    api: dict
    jobs: dict
    group: Group

    def side(self, side):
        return self.world.a if side == "a" else self.world.b

    def obj(self, side, model):
        return self.side(side)[model]


@pytest.fixture(scope="module")
def module_env(module_world):
    w = module_world
    jobs = {}
    for side, data in (("a", w.a), ("b", w.b)):
        plan = data[OperatingPlan]
        job = ReportJob.objects.create(
            ambito=data.ambito, operating_plan=plan, kind=ReportJob.Kind.OPERATING_PLAN,
            state=ReportJob.State.READY, data_version=f"v-{side}", progress=100,
        )
        pdf = f"%PDF-1.4\n% report of {data.ambito.slug}\n{'0' * 64}\n%%EOF\n"
        job.file.save(f"po-{side}.pdf", ContentFile(pdf.encode()))
        jobs[side] = job
    clients, api = {}, {}
    for role in ALL_ROLES:
        clients[role] = Client()
        api[role] = APIClient()
        if role != "anonymous":
            user = w.user(role)
            clients[role].force_login(user)
            token, _ = Token.objects.get_or_create(user=user)
            api[role].credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    group = Group.objects.create(name="Gruppo di prova")
    return Env(w, clients, api, jobs, group)


@pytest.fixture
def env(module_env, db):
    return module_env


# ---------------------------------------------------------------------------------------
# Checking one cell.
# ---------------------------------------------------------------------------------------


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _location_is(response, url_name):
    return response.status_code == 302 and response["Location"].split("?")[0] == reverse(url_name)


# Outcomes other than a plain status code.
OUTCOMES = {
    "ok": lambda r: r.status_code == 200,
    "login": lambda r: r.status_code == 302
    and r["Location"].startswith(reverse("entry:login")),
    "admin_login": lambda r: r.status_code == 302
    and r["Location"].startswith(reverse("admin:login")),
    "admin_index": lambda r: _location_is(r, "admin:index"),
    "to_plans": lambda r: _location_is(r, "objectives:plan_list"),
    "redirect": lambda r: r.status_code == 302 and "login" not in r["Location"],
    # The superuser in a third-party admin: what that app lets them do is its own choice.
    "ok_or_403": lambda r: r.status_code in (200, 403),
}


def _form_errors(response):
    context = getattr(response, "context", None)
    if not context or response.status_code != 200:
        return ""
    errors = [f.errors for f in [getattr(context.get("adminform"), "form", None)] if f]
    errors += [fs.formset.errors for fs in context.get("inline_admin_formsets", [])]
    errors += [fs.formset.non_form_errors() for fs in context.get("inline_admin_formsets", [])]
    return str([e for e in errors if e])[:1500]


def check(env, family, url_name, role, response, expected, what, seed_names=True, echo=False):
    """One cell: the outcome, and no names of an ambito the role has no part in.

    ``seed_names=False`` for the API's documentation, whose examples name a seed ambito;
    ``echo=True`` for a form posted with another ambito's values, shown back to the user
    who typed them.
    """
    count_cell(family, url_name)
    matches = OUTCOMES[expected](response) if isinstance(expected, str) else (
        response.status_code == expected
    )
    location = response.get("Location", "")
    assert matches, (
        f"{url_name} {what} as {role}: expected {expected}, got {response.status_code} "
        f"{location} {_form_errors(response)}"
    )
    body = _body(response)
    for side, sees in (("a", VIEW_A), ("b", VIEW_B)):
        if role not in sees and not echo:
            found = SIDE_MARK[side].search(body)
            assert not found, f"{url_name} {what} as {role} shows data of ambito {side}: " \
                f"...{body[max(found.start() - 80, 0):found.end() + 80]}..."
    if role != "superuser" and seed_names:
        found = SEED_MARK.search(body)
        assert not found, f"{url_name} {what} as {role} shows a seed ambito: " \
            f"...{body[max(found.start() - 80, 0):found.end() + 80]}..."


def snapshot(model, pk):
    return model._default_manager.filter(pk=pk).values().first(), model._default_manager.count()


# ---------------------------------------------------------------------------------------
# Pages: objectives, budget, indicators, entry, reports.
# ---------------------------------------------------------------------------------------


@dataclass
class Write:
    data: object  # (env, side) -> POST data
    state: object  # (env, side) -> a value that a write changes
    writers: frozenset  # roles whose POST on ambito A's object goes through
    allowed: object = "redirect"  # outcome for a writer
    changes: bool = True  # whether an allowed POST changes ``state``
    refused: object = 403


@dataclass
class Page:
    args: object = None  # (env, side) -> reverse() args; None: the page has no object
    readers: frozenset = frozenset()  # roles reading ambito A's page (200 or ``ok``)
    ok: object = "ok"
    refused: object = 403
    anon: object = "login"
    write: Write | None = None
    post_refused_405: bool = False  # a read-only page: POST is 405 for every logged-in role


LOGGED_IN = frozenset(ALL_ROLES) - {"anonymous"}


def _plan(env, side):
    return [env.obj(side, OperatingPlan).pk]


def _objective(env, side):
    return [env.obj(side, Objective).pk]


def _line_value(env, side):
    return BudgetLine.objects.get(pk=env.obj(side, BudgetLine).pk).preventivo


def _measurement_value(env, side):
    return Measurement.objects.get(pk=env.obj(side, Measurement).pk).value


def _measurement_post(env, side):
    indicator = env.obj(side, Indicator)
    period = env.obj(side, Measurement).period_end
    return quarter_post([indicator], [], period, values={indicator: ("value", "12", "")})


def _line_count(env, side):
    return BudgetLine.objects.count(), Measurement.objects.count()


def _job_count(env, side):
    return ReportJob.objects.count()


PAGES = {
    # "/" sends everybody to the list of plans (which then asks anonymous users to log in).
    "path:": Page(readers=LOGGED_IN, ok="to_plans", anon="to_plans"),
    "healthz": Page(readers=LOGGED_IN, anon="ok"),  # liveness: no data, no login
    "privacy": Page(readers=LOGGED_IN, anon="ok"),  # the privacy notice is public
    # The admin's login with the second step: staff already logged in go to the admin.
    "path:admin/login/": Page(readers=LOGGED_IN, ok="admin_index", anon="ok"),
    # The second factor: the code page asks anonymous visitors to log in first, and
    # enrolment shows each user their own new secret (a POST with a wrong code is 400).
    "security:otp_verify": Page(readers=LOGGED_IN, write=Write(
        data=lambda env, side: {"otp_token": "000000"}, state=_job_count,
        writers=LOGGED_IN, allowed=400, changes=False)),
    "security:otp_enrol": Page(readers=LOGGED_IN, write=Write(
        data=lambda env, side: {"otp_token": "000000"}, state=_job_count,
        writers=LOGGED_IN, allowed=400, changes=False)),
    "entry:login": Page(readers=LOGGED_IN, ok="to_plans", anon="ok"),
    "entry:logout": Page(readers=frozenset(), refused=405, anon=405),  # POST only, see below
    "objectives:plan_list": Page(readers=LOGGED_IN, post_refused_405=True),
    "objectives:plan_detail": Page(_plan, VIEW_A, post_refused_405=True),
    "objectives:dashboard": Page(_plan, VIEW_A, post_refused_405=True),
    "objectives:objective_detail": Page(_objective, VIEW_A, post_refused_405=True),
    "budget:entry": Page(_objective, PLAN_PAGE_READERS_A, write=Write(
        data=lambda env, side: budget_post(
            env.obj(side, Objective),
            edits={env.obj(side, BudgetLine).pk: {"preventivo": "1.234,56"}}),
        state=_line_value, writers=PLAN_WRITERS_A)),
    "budget:import": Page(_objective, PLAN_WRITERS_A, write=Write(
        data=lambda env, side: {}, state=_line_count, writers=PLAN_WRITERS_A,
        allowed="ok", changes=False)),  # no file: the form asks for one, nothing saved
    "budget:export": Page(lambda env, side: [*_objective(env, side), "csv"], PLAN_PAGE_READERS_A),
    "indicators:quarter_current": Page(_plan, PLAN_PAGE_READERS_A, ok="redirect"),
    "indicators:quarter": Page(lambda env, side: [*_plan(env, side), 1], PLAN_PAGE_READERS_A,
                               write=Write(data=_measurement_post, state=_measurement_value,
                                           writers=MEASUREMENT_WRITERS_A)),
    "indicators:import": Page(lambda env, side: [*_plan(env, side), 1], MEASUREMENT_WRITERS_A,
                              write=Write(data=lambda env, side: {}, state=_line_count,
                                          writers=MEASUREMENT_WRITERS_A, allowed="ok",
                                          changes=False)),
    "indicators:export": Page(lambda env, side: [*_plan(env, side), 1, "csv"], PLAN_PAGE_READERS_A),
    # Report pages (app layout, the app's login): whoever reads a plan may have its PDF made;
    # other ambiti's ids are 404.
    "reports:index": Page(readers=LOGGED_IN, anon="login"),
    "reports:operating_plan": Page(_plan, VIEW_A, refused=404, anon="login", write=Write(
        data=lambda env, side: {"kind": ReportJob.Kind.OPERATING_PLAN,
                                "variant": ReportJob.Variant.ACCESSIBLE},
        state=_job_count, writers=VIEW_A, refused=404)),
    "reports:zone_plan": Page(lambda env, side: [env.obj(side, ZonePlan).pk], VIEW_A,
                              refused=404, anon="login", write=Write(
        data=lambda env, side: {"kind": ReportJob.Kind.ZONE_PLAN,
                                "variant": ReportJob.Variant.ACCESSIBLE},
        state=_job_count, writers=VIEW_A, refused=404)),
    "reports:job": Page(lambda env, side: [env.jobs[side].pk], VIEW_A, refused=404,
                        anon="login"),
    "reports:download": Page(lambda env, side: [env.jobs[side].pk], VIEW_A, refused=404,
                             anon="login"),
}


# The plan's structure (planning/urls_structure.py): the ambito's Ufficio di Piano edits,
# every other role of the ambito (referenti, Assemblea, revisori) reads the structure and
# gets 403 with the reason on its forms, other ambiti 404.
def _structure_refused(role, side):
    return 403 if side == "a" and role in VIEW_A else 404


def _structure_kind(kind, model):
    return lambda env, side: [kind, env.obj(side, model).pk]


def _structure_count(env, side):
    from objectives.models import Action, Section

    return Action.objects.count(), Section.objects.count(), Objective.objects.count()


def _structure_write(data, changes=True):
    post = data if callable(data) else (lambda env, side: data)
    return Write(data=post, state=_structure_count,
                 writers=frozenset(PLAN_WRITERS_A), changes=changes,
                 refused=_structure_refused)


def _structure_pages():
    from objectives.models import Action, Section
    from objectives.structure import ACTION_FIELDS, SECTION_FIELDS, token_of

    reads = frozenset(PLAN_PAGE_READERS_A)
    edits = frozenset(PLAN_WRITERS_A)
    post_only = dict(readers=frozenset(), refused=lambda role, side: 405)
    section = lambda env, side: [*_plan(env, side), env.obj(side, Section).pk]  # noqa: E731
    return {
        "planning:structure": Page(_plan, reads, refused=_structure_refused,
                                   post_refused_405=True),
        "planning:structure_objective": Page(_objective, reads, refused=_structure_refused,
                                             post_refused_405=True),
        "planning:structure_add": Page(
            lambda env, side: ["azioni", env.obj(side, Objective).pk], edits,
            refused=_structure_refused, write=_structure_write({"title": "Nuova azione"})),
        "planning:structure_edit": Page(
            _structure_kind("azioni", Action), edits, refused=_structure_refused,
            write=_structure_write(lambda env, side: {
                "title": "Azione rinominata",
                "token": token_of(env.obj(side, Action), ACTION_FIELDS)}, changes=False)),
        "planning:structure_delete": Page(
            _structure_kind("azioni", Action), edits, refused=_structure_refused,
            write=_structure_write({"confirmed": "1"})),
        "planning:structure_move": Page(
            _structure_kind("obiettivi", Objective), **post_only,
            write=_structure_write({"direction": "down"}, changes=False)),
        "planning:structure_section_add": Page(
            _plan, edits, refused=_structure_refused,
            write=_structure_write({"title": "Nuovo testo", "level": "1", "body": "Testo"})),
        "planning:structure_section_edit": Page(
            section, edits, refused=_structure_refused,
            write=_structure_write(lambda env, side: {
                "title": "Premessa", "level": "1", "body": "Testo",
                "token": token_of(env.obj(side, Section), SECTION_FIELDS)}, changes=False)),
        "planning:structure_section_delete": Page(
            section, edits, refused=_structure_refused, write=_structure_write({})),
        "planning:structure_section_move": Page(
            section, **post_only, write=_structure_write({"direction": "up"}, changes=False)),
    }


PAGES.update(_structure_pages())


# Acts, approval and variations (planning/urls_acts.py, urls_approval.py,
# urls_variations.py): staff of the ambito register acts and vary an approved plan, staff
# and the Assemblea approve; every role of the ambito reads the acts, their PDF, the
# variations and the approval's state (a read view without the form; its POST 403 with the
# reason); other ambiti 404. In this world the plans are drafts: a variation is refused (400).
_ACT_NUMBERS = iter(range(1000, 100000))


def _acts_pages():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance.models import Body, Deliberation
    from objectives.models import Action

    reads = frozenset(PLAN_PAGE_READERS_A)
    edits = frozenset(PLAN_WRITERS_A)
    approvers = frozenset(APPROVERS_A)

    def pdf():
        return SimpleUploadedFile("atto.pdf", b"%PDF-1.4 atto", content_type="application/pdf")

    def slug(env, side):
        return [env.side(side).ambito.slug]

    def act_with_file(env, side):
        act = Deliberation.objects.get(pk=env.obj(side, Deliberation).pk)
        if not act.act:
            act.act.save(f"atto-{side}.pdf", ContentFile(b"%PDF-1.4 atto"))
        return [act.pk]

    def new_act(env, side):
        return {"body": env.obj(side, Body).pk, "number": str(next(_ACT_NUMBERS)),
                "date": "2030-05-04", "subject": "Atto", "approves": "other"}

    def approval(env, side):
        return {"mode": "new", "body": env.obj(side, Body).pk,
                "number": str(next(_ACT_NUMBERS)), "date": "2030-03-10", "subject": "Atto",
                "act": pdf(), "confirm": "on"}

    def variation(env, side):
        return {"new_amount": "11,00", "reason": "prova", "mode": "new", "issuer": "Ente",
                "number": str(next(_ACT_NUMBERS)), "date": "2030-03-10", "subject": "Atto",
                "item": "Nuova voce", "amount": "5,00"}

    def act_count(env, side):
        return Deliberation.objects.count()

    def plan_state(env, side):
        return OperatingPlan.objects.get(pk=env.obj(side, OperatingPlan).pk).state

    def zone_plan_approval(env, side):
        return ZonePlan.objects.get(pk=env.obj(side, ZonePlan).pk).approval_id

    def write(data, state, writers, **kw):
        return Write(data=data, state=state, writers=writers, refused=_structure_refused, **kw)

    return {
        "planning:act_list": Page(slug, reads, refused=_structure_refused,
                                  post_refused_405=True),
        "planning:act_create": Page(slug, edits, refused=_structure_refused,
                                    write=write(new_act, act_count, edits)),
        "planning:act_detail": Page(lambda env, side: [env.obj(side, Deliberation).pk], reads,
                                    refused=_structure_refused, post_refused_405=True),
        "planning:act_file": Page(act_with_file, reads, refused=_structure_refused),
        "planning:plan_approve": Page(_plan, reads, refused=_structure_refused,
                                      write=write(approval, plan_state, approvers)),
        "planning:zone_plan_approve": Page(
            lambda env, side: [env.obj(side, ZonePlan).pk], reads,
            refused=_structure_refused, write=write(
                lambda env, side: {"mode": "new", "issuer": "Accordo di programma",
                                   "date": "2030-01-10", "subject": "Accordo",
                                   "confirm": "on"}, zone_plan_approval, approvers)),
        "planning:variation_create": Page(
            lambda env, side: [env.obj(side, BudgetLine).pk], edits, refused=_structure_refused,
            write=write(variation, _line_value, edits, allowed=400, changes=False)),
        "planning:variation_add_line": Page(
            lambda env, side: [env.obj(side, Action).pk], edits, refused=_structure_refused,
            write=write(variation, _line_count, edits, allowed=400, changes=False)),
        "planning:variation_list": Page(_plan, reads, refused=_structure_refused,
                                        post_refused_405=True),
    }


PAGES.update(_acts_pages())


# New plan from last year, the plan's budget in Excel, the closing of the year
# (planning/urls_carry.py, urls_closing.py): only the Ufficio di Piano of the plan's ambito
# opens the forms; referenti, the Assemblea and revisori get 403 with the reason, but read
# the closing page (the avanzo, the destination and its act, no control) and download the
# plan's budget in Excel; other ambiti 404. In this world the plans are drafts with a draft
# destination of the avanzo (tests/builders.py): starting a destination, approving it (400)
# and closing the year (400) are refused, as are linking rows (no plan N+1) and reopening
# (already a draft), which go back to the closing page with the reason; the draft
# destination's rows are edited.
def _carry_closing_pages():
    from budget.models import SurplusDestination, SurplusDestinationRow
    from governance.models import Body, Deliberation

    edits = frozenset(PLAN_WRITERS_A)
    reads = frozenset(PLAN_PAGE_READERS_A)
    post_only = dict(readers=frozenset(), refused=lambda role, side: 405)
    # GET on the approval and the closing forms only sends back to the closing page, which
    # makes its own checks: whoever is logged in, whatever the plan.
    to_closing = dict(readers=frozenset(), refused=lambda role, side: "redirect")

    def row(env, side):
        return [env.obj(side, SurplusDestinationRow).pk]

    def plan_count(env, side):
        return OperatingPlan.objects.count(), Objective.objects.count()

    def closing_state(env, side):
        """The plan's state, its destination (state, act), its rows, and the acts."""
        plan = env.obj(side, OperatingPlan)
        destination = SurplusDestination.objects.filter(plan=plan).values_list(
            "state", "deliberation_id").first()
        rows = list(SurplusDestinationRow.objects.filter(destination__plan=plan).order_by(
            "pk").values_list("pk", "description", "amount", "restricted", "target_action_id"))
        return (OperatingPlan.objects.get(pk=plan.pk).state, destination, rows,
                Deliberation.objects.count())

    def carry(env, side):
        return {"year": str(env.obj(side, OperatingPlan).year + 1), "objectives": "on",
                "amounts": "preventivo", "confirm": "1"}

    def approval(env, side):
        return {"mode": "new", "body": env.obj(side, Body).pk,
                "number": str(next(_ACT_NUMBERS)), "date": "2030-05-05",
                "subject": "Destinazione dell'avanzo"}

    def write(data, state, **kw):
        post = data if callable(data) else (lambda env, side: data)
        return Write(data=post, state=state, writers=edits, refused=_structure_refused, **kw)

    new_row = {"description": "Nuova riga", "amount": "3,00", "restricted": "0"}
    return {
        "planning:carry": Page(_plan, edits, refused=_structure_refused,
                               write=write(carry, plan_count)),
        "planning:carry_budget_export": Page(
            lambda env, side: [*_plan(env, side), "csv"], reads, refused=_structure_refused,
            post_refused_405=True),
        # No file: the form asks for one, nothing saved.
        "planning:carry_budget_import": Page(_plan, edits, refused=_structure_refused,
                                             write=write({}, _line_count, allowed="ok",
                                                         changes=False)),
        "planning:closing": Page(_plan, reads, refused=_structure_refused,
                                 post_refused_405=True),
        "planning:closing_start": Page(_plan, **post_only,
                                       write=write({}, closing_state, changes=False)),
        "planning:closing_row_add": Page(_plan, edits, refused=_structure_refused,
                                         write=write(new_row, closing_state)),
        "planning:closing_link": Page(_plan, **post_only,
                                      write=write({}, closing_state, changes=False)),
        "planning:closing_approve": Page(_plan, **to_closing, write=write(
            approval, closing_state, allowed=400, changes=False)),
        "planning:closing_reopen": Page(_plan, **post_only,
                                        write=write({}, closing_state, changes=False)),
        "planning:closing_close": Page(_plan, **to_closing, write=write(
            {"expected_total": "100.00", "confirm": "on"}, closing_state, allowed=400,
            changes=False)),
        "planning:closing_row_edit": Page(row, edits, refused=_structure_refused, write=write(
            {**new_row, "description": "Riga rinominata"}, closing_state)),
        "planning:closing_row_delete": Page(row, edits, refused=_structure_refused,
                                            write=write({}, closing_state)),
    }


PAGES.update(_carry_closing_pages())


# Entrate per canale (planning/urls_income.py): staff of the ambito edit the plan's entrate,
# every other role of the ambito reads them (403 with the reason on the forms), other
# ambiti 404. The
# consuntivo import is for approved plans: on this world's drafts even staff get 403.
def _income_pages():
    from budget.models import FundingAllocation

    reads = frozenset(PLAN_PAGE_READERS_A)
    edits = frozenset(PLAN_WRITERS_A)

    def row(env, side):
        return [*_plan(env, side), env.obj(side, FundingAllocation).pk]

    def count(env, side):
        return FundingAllocation.objects.count()

    def amount(env, side):
        return FundingAllocation.objects.get(pk=env.obj(side, FundingAllocation).pk).amount

    def draft_refused(role, side):
        if side == "a":
            return 403 if role in VIEW_A else 404
        return 403 if role in VIEW_B else 404

    def write(data, state, **kw):
        return Write(data=data, state=state, writers=edits, refused=_structure_refused, **kw)

    entry = {"label": "Quote dei Comuni", "amount": "1.234,56", "kind": "entrata"}
    return {
        "planning:income": Page(_plan, reads, refused=_structure_refused,
                                post_refused_405=True),
        "planning:income_add": Page(_plan, edits, refused=_structure_refused,
                                    write=write(lambda env, side: entry, count)),
        "planning:income_edit": Page(row, edits, refused=_structure_refused, write=write(
            lambda env, side: {**entry, "amount": "7,00"}, amount)),
        "planning:income_delete": Page(row, edits, refused=_structure_refused,
                                       write=write(lambda env, side: {}, count)),
        "planning:consuntivo_import": Page(
            _plan, frozenset(), refused=draft_refused,
            write=Write(data=lambda env, side: {}, state=_line_count, writers=frozenset(),
                        refused=draft_refused)),
    }


PAGES.update(_income_pages())


# The Comuni's spesa sociale (planning/urls_spending.py): whoever reads the ambito reads the
# page and its template (revisori too, read-only); only the Ufficio di Piano records and
# imports (403 with the reason for the other roles of A); other ambiti 404.
def _spending_pages():
    from governance.models import MunicipalSpending

    reads = frozenset(VIEW_A)
    edits = frozenset(PLAN_WRITERS_A)

    def slug(env, side):
        return [env.side(side).ambito.slug]

    def amount(env, side):
        return MunicipalSpending.objects.get(pk=env.obj(side, MunicipalSpending).pk).amount

    def entry(env, side):
        spending = env.obj(side, MunicipalSpending)
        return {"municipality": spending.municipality_id, "year": spending.year,
                "amount": "1.234,56"}

    def export(env, side):
        return [*slug(env, side), env.obj(side, MunicipalSpending).year, "csv"]

    return {
        "planning:spending": Page(slug, reads, refused=_structure_refused,
                                  post_refused_405=True),
        "planning:spending_entry": Page(slug, edits, refused=_structure_refused, write=Write(
            data=entry, state=amount, writers=edits, refused=_structure_refused)),
        "planning:spending_import": Page(slug, edits, refused=_structure_refused, write=Write(
            data=lambda env, side: {}, state=amount, writers=edits, allowed="ok",
            changes=False, refused=_structure_refused)),
        "planning:spending_export": Page(export, reads, refused=_structure_refused),
    }


PAGES.update(_spending_pages())


# Debiti informativi and the classification of the spending (returns/urls.py): staff of the
# ambito only (403 with the reason for the other roles of A), other ambiti 404.
def _returns_pages():
    from classification.models import Assignment
    from returns.models import SentReturn

    staff = frozenset(PLAN_WRITERS_A)
    post_only = dict(readers=frozenset(), refused=lambda role, side: 405)

    def sent_count(env, side):
        return SentReturn.objects.filter(ambito=env.side(side).ambito).count()

    def sent_file(env, side):
        sent = env.obj(side, SentReturn)
        if not sent.file.storage.exists(sent.file.name):
            sent.file.storage.save(sent.file.name, ContentFile(b"Totale generale;0,00\r\n"))
        return [*_plan(env, side), sent.pk]

    def line_history(env, side):
        return Assignment.history.filter(line_id=env.obj(side, BudgetLine).pk).count()

    def classify(env, side):
        return {"dimension": "area_utenza", "shares": "FAM 60, DIS 40", "reason": "Prova",
                "lines": [env.obj(side, BudgetLine).pk]}

    return {
        "returns:returns": Page(_plan, staff, refused=_structure_refused,
                                post_refused_405=True),
        "returns:download": Page(lambda env, side: [*_plan(env, side), "istat", "csv"], staff,
                                 refused=_structure_refused),
        "returns:send": Page(_plan, **post_only, write=Write(
            data=lambda env, side: {"template": "istat", "fmt": "csv"}, state=sent_count,
            writers=staff, refused=_structure_refused)),
        "returns:sent_file": Page(sent_file, staff, refused=_structure_refused),
        "returns:classify": Page(_plan, staff, refused=_structure_refused, write=Write(
            data=classify, state=line_history, writers=staff, refused=_structure_refused)),
    }


PAGES.update(_returns_pages())


def _reverse(name, args):
    if name.startswith("path:"):
        return "/" + name[len("path:"):]
    return reverse(name, args=args or None)


def _page_refused(refused, role, side):
    # A callable says per role and side (e.g. 403 with a reason in one's own ambito, 404 else).
    return refused(role, side) if callable(refused) else refused


def _page_expected(page, role, side, readers):
    if role == "anonymous":
        return page.anon
    return page.ok if role in readers else _page_refused(page.refused, role, side)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(env, name, role):
    page = PAGES[name]
    client = env.clients[role]
    for side in ("a", "b") if page.args else ("a",):
        readers = page.readers if side == "a" else mirror_b(page.readers)
        url = _reverse(name, page.args(env, side) if page.args else None)
        response = client.get(url)
        check(env, "page", name, role, response, _page_expected(page, role, side, readers),
              f"GET {side}")
        if page.post_refused_405:
            response = client.post(url, {})
            check(env, "page", name, role, response,
                  page.anon if role == "anonymous" else 405, f"POST {side}")
        write = page.write
        if write is None or (side == "b" and role not in A_WRITERS + ["staff_b", "superuser"]):
            continue
        writers = write.writers if side == "a" else mirror_b(write.writers)
        before = write.state(env, side)
        response = client.post(url, write.data(env, side))
        allowed = role in writers
        expected = write.allowed if allowed else _page_refused(write.refused, role, side)
        if role == "anonymous":
            expected = page.anon
        check(env, "page", name, role, response, expected, f"POST {side}")
        after = write.state(env, side)
        if allowed and write.changes:
            assert after != before, f"{name} POST {side} as {role} was accepted but saved nothing"
        else:
            assert after == before, f"{name} POST {side} as {role} changed the data"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_logout_is_a_post(env, role):
    client = Client()
    if role != "anonymous":
        client.force_login(env.world.user(role))
    url = reverse("entry:logout")
    check(env, "page", "entry:logout", role, client.get(url), 405, "GET")
    check(env, "page", "entry:logout", role, client.post(url), "login", "POST")
    assert "_auth_user_id" not in client.session


# ---------------------------------------------------------------------------------------
# The API: every router endpoint, its custom actions, the schema and the docs.
# ---------------------------------------------------------------------------------------

API_ENDPOINTS = {basename: viewset for _, viewset, basename in router.registry}
API_MODELS = {
    basename: viewset.queryset.model for basename, viewset in API_ENDPOINTS.items()
    if getattr(viewset, "queryset", None) is not None
}
# Custom detail actions besides "history" (inherited by every model endpoint), declared one
# by one: a new action must be added here to be counted as covered.
API_DETAIL_ACTIONS = {"objectives-operatingplan-totals"}
# Views outside the router that describe the API, not the data.
API_LISTS = {
    "api-root", "api-schema", "api-docs", "api-redoc",
}
# Views outside the router that stream a whole list (scoped like the list).
API_STREAMS = {"budget-budgetline-export", "indicators-measurement-export"}
# Custom list actions, declared one by one (tested below).
API_LIST_ACTIONS = {"governance-municipalspending-summary"}


def _api_expected(role, readers):
    if role == "anonymous":
        return 401
    if role == "nobody":
        return 403
    return 200 if role in readers else 404


def api_names():
    names = set(API_LISTS) | API_STREAMS | API_LIST_ACTIONS | {"api-token"}
    for basename, viewset in API_ENDPOINTS.items():
        names.add(f"{basename}-list")
        if basename in API_MODELS:
            names |= {f"{basename}-detail", f"{basename}-history"}
        for extra in viewset.get_extra_actions():
            if extra.detail:
                names.add(f"{basename}-{extra.url_name}")
    return names


def _api_detail_names(basename):
    names = [f"{basename}-detail", f"{basename}-history"]
    return names + sorted(n for n in API_DETAIL_ACTIONS if n.startswith(basename + "-"))


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("basename", sorted(API_ENDPOINTS))
def test_api_endpoint(env, basename, role):
    client = env.api[role]
    name = f"{basename}-list"
    readers = LOGGED_IN - {"nobody"}
    for params in ({}, {"format": "csv"}):
        response = client.get(reverse(name), params)
        check(env, "api", name, role, response, _api_expected(role, readers), f"GET {params}")
    refused = _api_expected(role, readers) if role in ("anonymous", "nobody") else 405
    model = API_MODELS.get(basename)
    count = model._default_manager.count() if model else None
    check(env, "api", name, role, client.post(reverse(name), {}, format="json"), refused, "POST")
    if model is None:
        return
    assert model._default_manager.count() == count
    for side in ("a", "b"):
        obj = env.obj(side, model)
        readers = VIEW_A if side == "a" else VIEW_B
        for detail_name in _api_detail_names(basename):
            url = reverse(detail_name, args=[obj.pk])
            check(env, "api", detail_name, role, client.get(url),
                  _api_expected(role, readers), f"GET {side}")
        url = reverse(f"{basename}-detail", args=[obj.pk])
        before = snapshot(model, obj.pk)
        for method in ("put", "patch", "delete"):
            response = getattr(client, method)(url, {"id": obj.pk}, format="json")
            check(env, "api", f"{basename}-detail", role, response, refused,
                  f"{method.upper()} {side}")
        assert snapshot(model, obj.pk) == before, f"{basename} {side} changed by {role}"


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", sorted(API_LISTS))
def test_api_root_schema_and_docs(env, name, role):
    # The schema and its docs describe the API, not the data: any logged-in user reads them.
    client = env.api[role]
    expected = 401 if role == "anonymous" else 200
    check(env, "api", name, role, client.get(reverse(name)), expected, "GET", seed_names=False)
    refused = 401 if role == "anonymous" else 405
    check(env, "api", name, role, client.post(reverse(name), {}, format="json"), refused, "POST")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", sorted(API_STREAMS))
def test_api_streamed_exports(env, name, role):
    client = env.api[role]
    expected = _api_expected(role, LOGGED_IN - {"nobody"})
    check(env, "api", name, role, client.get(reverse(name)), expected, "GET")
    refused = expected if role in ("anonymous", "nobody") else 405
    check(env, "api", name, role, client.post(reverse(name), {}, format="json"), refused, "POST")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_municipal_spending_summary(env, role):
    # Ambito A's summary: its readers get it; staff of B and who has no role are told the
    # ambito is not there for them; writes are not a method of it.
    name = "governance-municipalspending-summary"
    client = env.api[role]
    params = {"ambito": env.side("a").ambito.slug}
    expected = {"anonymous": 401, "nobody": 403}.get(role, 200 if role in VIEW_A else 404)
    check(env, "api", name, role, client.get(reverse(name), params), expected, "GET")
    refused = expected if role in ("anonymous", "nobody") else 405
    check(env, "api", name, role, client.post(reverse(name), {}, format="json"), refused,
          "POST")


REFERENCE_ADMINS = ["dimension", "code"]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("model_name", REFERENCE_ADMINS)
def test_admin_of_reference_codes(env, model_name, role):
    """The classification's reference lists: superusers write them, admin users read them."""
    from django.apps import apps

    model = apps.get_model("classification", model_name)
    client = env.clients[role]
    user_id = client.session.get("_auth_user_id")
    user = get_user_model().objects.get(pk=user_id) if user_id else None
    obj = model.objects.order_by("pk").first()
    assert obj is not None, "the reference data is loaded with the seeds"

    def expected(view):
        if user is None:
            return "admin_login"
        if user.is_superuser:
            return "ok"
        if user.is_staff and view in ("changelist", "change", "history"):
            return "ok"
        return 403

    for view in ("changelist", "add"):
        name = _admin_name(model, view)
        check(env, "admin", name, role, client.get(reverse(name)), expected(view), "GET")
    for view in ("change", "delete", "history"):
        name = _admin_name(model, view)
        check(env, "admin", name, role, client.get(reverse(name, args=[obj.pk])),
              expected(view), "GET")
    name = _admin_name(model, "simple_history")
    url = reverse(name, args=[obj.pk, _latest_history_id(model, obj.pk)])
    check(env, "admin", name, role, client.get(url), expected("history"), "GET")
    if user is not None and user.is_superuser:
        return
    before = snapshot(model, obj.pk)
    for view in ("change", "delete"):
        name = _admin_name(model, view)
        response = client.post(reverse(name, args=[obj.pk]), {"post": "yes", "label": "x"})
        check(env, "admin", name, role, response, _refused(role), "POST")
    assert snapshot(model, obj.pk) == before


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_token_endpoint(env, role):
    # Open to everybody by nature (it is a login); a wrong password gets no token, and
    # the user's credentials in the request are not what it looks at.
    client = env.api[role]
    url = reverse("api-token")
    check(env, "api", "api-token", role, client.get(url), 405, "GET")
    tokens = Token.objects.count()
    response = client.post(url, {"username": f"matrix-{role}", "password": "wrong"},
                           format="json")
    check(env, "api", "api-token", role, response, 400, "POST")
    assert "token" not in response.json() and Token.objects.count() == tokens


# ---------------------------------------------------------------------------------------
# The admin: every view of every registered model.
# ---------------------------------------------------------------------------------------

ADMIN_VIEWS = ["changelist", "add", "change", "delete", "history"]
SCOPED_ADMINS = sorted(
    (m for m in admin.site._registry if issubclass(m, ScopedModel)), key=lambda m: m.__name__
)
# Django's, DRF's, django-otp's and django-axes' models: users, groups, tokens, second
# factors and login attempts are managed by superusers only.
SUPERUSER_ADMINS = [get_user_model(), Group, TokenProxy, TOTPDevice, AccessAttempt, AccessLog,
                    AccessFailureLog]
THIRD_PARTY_ADMINS = {TOTPDevice, AccessAttempt, AccessLog, AccessFailureLog}
# Extra admin views, declared one by one with their test below.
ADMIN_EXTRA = {
    "admin:index", "admin:app_list", "admin:autocomplete", "admin:view_on_site",
    "admin:auth_user_password_change", "admin:governance_sourcedocument_reconciliation",
    "admin:budget_budgetline_import", "admin:budget_budgetline_process_import",
    "admin:budget_budgetline_export", "admin:indicators_measurement_import",
    "admin:indicators_measurement_process_import", "admin:indicators_measurement_export",
    "admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode",
}


def _admin_name(model, view):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def admin_names():
    names = set(ADMIN_EXTRA)
    for model, model_admin in admin.site._registry.items():
        names |= {_admin_name(model, view) for view in ADMIN_VIEWS}
        if isinstance(model_admin, SimpleHistoryAdmin):
            names.add(_admin_name(model, "simple_history"))
    return names


class AdminFormParser(HTMLParser):
    """What a browser would send for the admin's change form: the fields as rendered."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.data, self.options = [], {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.append((name, a.get("value", default)))
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value", ""))
            if "selected" in a:
                self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def as_post(self):
        post = {}
        for name, value in self.data:
            post.setdefault(name, []).append(value)
        return post


_FORMS = {}


def admin_form(env, model, side):
    """The change form of ``model``'s object of ``side`` as the superuser's browser posts it,
    with one field changed: (data, field name, new value) or (data, None, None)."""
    key = (model, side)
    if key not in _FORMS:
        obj = env.obj(side, model)
        page = env.clients["superuser"].get(reverse(_admin_name(model, "change"), args=[obj.pk]))
        assert page.status_code == 200
        parser = AdminFormParser()
        parser.feed(page.content.decode())
        _FORMS[key] = (parser.as_post(), parser.options)
    data, options = _FORMS[key]
    data = {k: list(v) for k, v in data.items()}
    fields = [next((f for f in model._meta.fields if f.name == name), None)
              for name in data if "-" not in name]
    texts = [f for f in fields if isinstance(f, models.CharField | models.TextField)
             and not isinstance(f, models.SlugField)]
    for field in [f for f in texts if not f.choices]:  # free text first, then a choice
        value = (data[field.name][0] + " bis").strip()[-(field.max_length or 1000):]
        data[field.name] = [value]
        return data, field.name, value
    for field in [f for f in texts if f.choices]:
        others = [v for v in options.get(field.name, []) if v and v not in data[field.name]]
        if others:
            data[field.name] = [others[0]]
            return data, field.name, others[0]
    return data, None, None


def _field_value(model, pk, name):
    row = model._default_manager.filter(pk=pk).values(name).first()
    return None if row is None else row[name]


def _b_count(env, model):
    """Rows of ``model`` in ambito B, counted with a fresh staff_b (no cached grants)."""
    user = get_user_model().objects.get(pk=env.world.user("staff_b").pk)
    return model._default_manager.restrict(user).count()


def _latest_history_id(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").values_list(
        "history_id", flat=True)[0]


# Sent returns are kept as they were sent: nobody adds, changes or deletes one in the admin.
KEPT_AS_SENT = frozenset({SentReturn})


def _admin_may_add(role, model):
    return model not in KEPT_AS_SENT and may_add(role, model)


def _scoped_admin_expected(role, model, view, side):
    """The outcome of GET ``view`` on the object of ``side`` (or on the model)."""
    if role == "anonymous":
        return "admin_login"
    if role == "nobody":
        return 403
    if model in KEPT_AS_SENT and view in ("add", "delete"):
        return 403
    sees = VIEW_A if side == "a" else VIEW_B
    if view == "changelist":
        return "ok"
    if view == "add":
        return "ok" if _admin_may_add(role, model) else 403
    writes = may_change_a(role, model) if side == "a" else role in {"superuser", "staff_b"}
    if model is Membership:
        writes = role == "superuser"
    if view in ("history", "simple_history"):
        return "ok" if role in sees else 403
    if role not in sees:
        # The object does not exist for them; but who may delete nothing at all is told so
        # before the object is looked for.
        deletes_somewhere = _admin_may_add(role, model)
        return "admin_index" if view == "change" or deletes_somewhere else 403
    if view == "change":
        return "ok"
    return "ok" if writes else 403  # delete


def _admin_writes(role, model, side):
    if role in ("anonymous", "nobody") or model in KEPT_AS_SENT:
        return False
    if model is Membership:
        return role == "superuser"
    return may_change_a(role, model) if side == "a" else role in {"superuser", "staff_b"}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("model", SCOPED_ADMINS, ids=lambda m: m.__name__)
def test_admin_reads(env, model, role):
    client = env.clients[role]
    for view in ("changelist", "add"):
        name = _admin_name(model, view)
        check(env, "admin", name, role, client.get(reverse(name)),
              _scoped_admin_expected(role, model, view, None), "GET")
    # Ambito B's objects: guessed by the users of A, and read by staff of B (the superuser
    # sees both alike: A's are enough).
    sides = ("a", "b") if role in A_USERS + ["staff_b"] else ("a",)
    for side in sides:
        obj = env.obj(side, model)
        for view in ("change", "delete", "history"):
            name = _admin_name(model, view)
            check(env, "admin", name, role, client.get(reverse(name, args=[obj.pk])),
                  _scoped_admin_expected(role, model, view, side), f"GET {side}")
        name = _admin_name(model, "simple_history")
        url = reverse(name, args=[obj.pk, _latest_history_id(model, obj.pk)])
        check(env, "admin", name, role, client.get(url),
              _scoped_admin_expected(role, model, "simple_history", side), f"GET {side}")


def _refused(role):
    return "admin_login" if role == "anonymous" else 403


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("model", SCOPED_ADMINS, ids=lambda m: m.__name__)
def test_admin_writes(env, model, role):
    client = env.clients[role]
    sides = ("a", "b") if role in A_WRITERS + ["staff_b"] else ("a",)
    for side in sides:
        obj = env.obj(side, model)
        writes = _admin_writes(role, model, side)
        sees = role in (VIEW_A if side == "a" else VIEW_B)
        data, field, value = admin_form(env, model, side)
        # The change form, and the historical version's form (a "revert"): both are writes.
        for view in ("change", "simple_history"):
            name = _admin_name(model, view)
            args = [obj.pk] if view == "change" else [obj.pk, _latest_history_id(model, obj.pk)]
            old = _field_value(model, obj.pk, field) if field else None
            before = snapshot(model, obj.pk)
            response = client.post(reverse(name, args=args), data)
            if writes:
                expected = "redirect"
            elif role in ("anonymous", "nobody") or sees or view == "simple_history":
                expected = _refused(role)
            else:  # the object does not exist for them, if they may change any at all
                expected = "admin_index" if _admin_may_add(role, model) else 403
            check(env, "admin", name, role, response, expected, f"POST {side}")
            if writes and field:
                assert _field_value(model, obj.pk, field) == value, f"{name} {side} {role}"
                model._default_manager.filter(pk=obj.pk).update(**{field: old})
            elif not writes:
                assert snapshot(model, obj.pk) == before, f"{name} POST {side} by {role}"
        # Adding a copy: of A's object for everybody, of B's object by the writers of A
        # (whose form offers none of B's parents).
        name = _admin_name(model, "add")
        count, b_count = model._default_manager.count(), _b_count(env, model)
        response = client.post(reverse(name), data)
        adds = _admin_may_add(role, model) and role not in ("anonymous", "nobody")
        if adds:
            check(env, "admin", name, role, response, "redirect" if response.status_code == 302
                  else "ok", f"POST {side}", echo=not sees)
            if side == "b" and role not in ("superuser", "staff_b"):
                assert _b_count(env, model) == b_count, f"{role} added a row to ambito B"
                assert response.status_code == 200
        else:
            check(env, "admin", name, role, response, _refused(role), f"POST {side}")
            assert model._default_manager.count() == count
        # Delete: the delete page, and the changelist's bulk action.
        for how in ("delete", "action"):
            before = snapshot(model, obj.pk)
            if how == "delete":
                name = _admin_name(model, "delete")
                response = client.post(reverse(name, args=[obj.pk]), {"post": "yes"})
            else:
                name = _admin_name(model, "changelist")
                response = client.post(reverse(name), {
                    "action": "delete_selected", "_selected_action": [obj.pk], "post": "yes",
                })
            gone = not model._default_manager.filter(pk=obj.pk).exists()
            if writes:
                # Deleted; or kept, with the delete page naming the protected rows that still
                # use it or the related rows the user may not delete (Django's cascade check).
                if not gone:
                    page = _body(client.get(reverse(_admin_name(model, "delete"),
                                                    args=[obj.pk])))
                    assert "protett" in page or "permess" in page, f"{name} {side} {role}"
                count_cell("admin", name)
            elif how == "delete":
                expected = _refused(role) if (sees or role in ("anonymous", "nobody")) \
                    else ("admin_index" if _admin_may_add(role, model) else 403)
                check(env, "admin", name, role, response, expected, f"POST {side}")
                assert snapshot(model, obj.pk) == before, f"{name} {side} deleted by {role}"
            else:
                count_cell("admin", name)
                if role in ("anonymous", "nobody"):
                    assert response.status_code in (302, 403)
                assert snapshot(model, obj.pk) == before, f"{name} {side} deleted by {role}"
            if gone:
                break  # the bulk action has nothing left to delete


def _superuser_admin_object(env, model, side):
    if model is Group:
        return env.group
    user = env.world.user("staff_a" if side == "a" else "staff_b")
    if model is TokenProxy:
        return TokenProxy.objects.get(user=user)
    if model is TOTPDevice:  # not a role's own: a confirmed device asks them for the code
        owner = get_user_model().objects.create_user(username=f"otp-owner-{side}")
        return TOTPDevice.objects.create(user=owner, name="App", confirmed=True)
    if model in (AccessAttempt, AccessLog, AccessFailureLog):
        fields = {"user_agent": "test", "ip_address": "127.0.0.1", "username": user.username,
                  "http_accept": "*/*", "path_info": "/accesso/"}
        if model is AccessAttempt:
            fields.update(get_data="", post_data="", failures_since_start=1)
        return model.objects.create(**fields)
    return user


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("model", SUPERUSER_ADMINS, ids=lambda m: m.__name__)
def test_admin_of_users_groups_tokens(env, model, role):
    client = env.clients[role]
    expected = "ok" if role == "superuser" else _refused(role)
    if role == "superuser" and model in THIRD_PARTY_ADMINS:
        expected = "ok_or_403"
    for view in ("changelist", "add"):
        name = _admin_name(model, view)
        check(env, "admin", name, role, client.get(reverse(name)), expected, "GET")
    obj = _superuser_admin_object(env, model, "a")
    views = ["change", "delete", "history"]
    if model is get_user_model():
        views.append("password_change")
    if model is TOTPDevice:  # the secret of a second factor, as text and as QR code
        views += ["config", "qrcode"]
    for view in views:
        name = _admin_name(model, view)
        check(env, "admin", name, role, client.get(reverse(name, args=[obj.pk])), expected, "GET")
    before = snapshot(model, obj.pk)
    for view in ("change", "delete"):
        if role == "superuser":
            continue  # the superuser's own rights are Django's, not ours
        name = _admin_name(model, view)
        response = client.post(reverse(name, args=[obj.pk]), {"post": "yes", "name": "x"})
        check(env, "admin", name, role, response, _refused(role), "POST")
    assert snapshot(model, obj.pk) == before


@pytest.mark.parametrize("role", ALL_ROLES)
def test_admin_of_report_jobs(env, role):
    # Read-only and scoped; only superusers delete (a job is remade from its page).
    client = env.clients[role]
    model = ReportJob
    for view in ("changelist", "add"):
        name = _admin_name(model, view)
        expected = "ok" if view == "changelist" and role != "nobody" else 403
        check(env, "admin", name, role, client.get(reverse(name)),
              "admin_login" if role == "anonymous" else expected, "GET")
    for side in ("a", "b"):
        job = env.jobs[side]
        sees = role in (VIEW_A if side == "a" else VIEW_B)
        for view in ("change", "history", "delete"):
            name = _admin_name(model, view)
            if role == "anonymous":
                expected = "admin_login"
            elif role == "nobody" and view == "history":
                expected = "admin_index"  # Django's history looks for the object first
            elif role == "nobody":
                expected = 403
            elif view == "delete":  # superusers only, checked before the object is looked for
                expected = "ok" if role == "superuser" else 403
            elif not sees:
                expected = "admin_index"
            else:
                expected = "ok"
            check(env, "admin", name, role, client.get(reverse(name, args=[job.pk])), expected,
                  f"GET {side}")
        before = snapshot(model, job.pk)
        if role != "superuser":
            name = _admin_name(model, "delete")
            response = client.post(reverse(name, args=[job.pk]), {"post": "yes"})
            expected = "admin_login" if role == "anonymous" else 403
            check(env, "admin", name, role, response, expected, f"POST {side}")
            assert snapshot(model, job.pk) == before


@pytest.mark.parametrize("role", ALL_ROLES)
def test_admin_site_views(env, role):
    client = env.clients[role]
    anon = role == "anonymous"
    has_role = role not in ("anonymous", "nobody")
    check(env, "admin", "admin:index", role, client.get(reverse("admin:index")),
          "admin_login" if anon else "ok", "GET")
    url = reverse("admin:app_list", args=["governance"])
    check(env, "admin", "admin:app_list", role, client.get(url),
          "admin_login" if anon else ("ok" if has_role else 404), "GET")
    name = "admin:governance_sourcedocument_reconciliation"
    check(env, "admin", name, role, client.get(reverse(name)),
          "admin_login" if anon else ("ok" if has_role else 403), "GET")
    # Autocomplete answers with the rows the user may see, whatever ambito is asked for.
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "objectives", "model_name": "action", "field_name": "objective", "term": "",
    })
    check(env, "admin", "admin:autocomplete", role, response,
          "admin_login" if anon else (200 if has_role else 403), "GET")
    # "View on site" only redirects; the page it leads to makes its own checks (above).
    for side in ("a", "b"):
        obj = env.obj(side, Objective)
        ct = ContentType.objects.get_for_model(Objective)
        response = client.get(reverse("admin:view_on_site", args=[ct.pk, obj.pk]))
        check(env, "admin", "admin:view_on_site", role, response,
              "admin_login" if anon else 404, f"GET {side}")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("model", [BudgetLine, Measurement], ids=lambda m: m.__name__)
def test_admin_import_export(env, model, role):
    client = env.clients[role]
    anon = role == "anonymous"
    imports = may_add(role, model) and not anon and role != "nobody"
    exports = role not in ("anonymous", "nobody")
    count = model._default_manager.count()
    name = _admin_name(model, "import")
    check(env, "admin", name, role, client.get(reverse(name)),
          "admin_login" if anon else ("ok" if imports else 403), "GET")
    check(env, "admin", name, role, client.post(reverse(name), {}),
          "admin_login" if anon else ("ok" if imports else 403), "POST")
    name = _admin_name(model, "process_import")
    response = client.post(reverse(name), {})
    check(env, "admin", name, role, response,
          "admin_login" if anon else (response.status_code if imports else 403), "POST")
    assert model._default_manager.count() == count
    name = _admin_name(model, "export")
    check(env, "admin", name, role, client.get(reverse(name)),
          "admin_login" if anon else ("ok" if exports else 403), "GET")
    response = client.post(reverse(name), {"format": "1"})  # CSV
    check(env, "admin", name, role, response,
          "admin_login" if anon else ("ok" if exports else 403), "POST")


# ---------------------------------------------------------------------------------------
# Completeness: every URL pattern is declared, and every declared one was exercised.
# ---------------------------------------------------------------------------------------

# Third-party views that hold no data of ours: Django's login/logout/password pages of
# the admin, DRF's login form of the browsable API, the translation catalogue and the
# admin's catch-all (which redirects or 404s). Named one by one, never by prefix.
ALLOWED_THIRD_PARTY = {
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:",  # the admin's catch_all_view: "admin/<anything>" without a name
    "rest_framework:login",
    "rest_framework:logout",
}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            if p.name is None and namespace is None:
                yield f"path:{prefix}{p.pattern}"
            else:
                yield f"{namespace}:{p.name or ''}" if namespace else p.name


def declared_names():
    return set(PAGES) | api_names() | admin_names() | ALLOWED_THIRD_PARTY


def test_every_url_pattern_is_declared():
    found = set(_walk(get_resolver().url_patterns))
    missing = sorted(found - declared_names())
    assert not missing, (
        "URL patterns missing from the access matrix (declare who may read and write them "
        f"in tests/security/test_access_matrix.py): {missing}"
    )
    stale = sorted(declared_names() - found)
    assert not stale, f"declared URL patterns that no longer exist: {stale}"


def test_zz_every_declared_pattern_was_exercised():
    """Runs last in the module: each declared pattern had cells (when the module ran whole)."""
    if not (CELLS["page"] and CELLS["admin"] and CELLS["api"]):
        pytest.skip("only part of the matrix was selected in this run")
    untested = sorted(declared_names() - ALLOWED_THIRD_PARTY - set(CELLS_BY_URL))
    assert not untested, f"declared but never exercised: {untested}"
    total = sum(CELLS.values())
    print(f"\naccess matrix: {total} cells, {len(CELLS_BY_URL)} URL patterns, "
          f"{len(ALL_ROLES)} roles")
    assert total > 5000


def test_staff_cannot_raise_a_role_through_the_history_revert(env):
    """The leak this matrix found: django-simple-history's "revert" form saved a POST after
    checking only the view permission, so staff of A could rewrite any Membership of A."""
    membership = Membership.objects.get(user=env.world.user("assembly_a"))
    client = env.clients["staff_a"]
    url = reverse(_admin_name(Membership, "simple_history"),
                  args=[membership.pk, _latest_history_id(Membership, membership.pk)])
    assert client.get(url).status_code == 200  # staff may read the roles of their ambito
    response = client.post(url, {"user": membership.user_id, "ambito": membership.ambito_id,
                                 "role": "ufficio_piano"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == "assemblea"
