"""Issue 18, items 1 and 2: every page answers every role that may read it, and offers
only the controls that role may use on a plan in that state.

A generated matrix (role × plan state × page): the budget grid and the quarterly page are
a form for whoever may write them now and a read view (figures as text, print and export,
no form field at all) for everybody else; the plan page, the objective page and the
cruscotto offer "Inserisci le rilevazioni…", "Approva il piano" and the other controls only
where they lead somewhere the user may act — every link they offer opens. The read view
shows the Piano Operativo 2015 (seed) objective totals to the cent for a revisore and a
sindaco.
"""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from budget.models import BudgetLine
from budget.selectors import objective_totals
from core.formatting import format_euro
from objectives.models import OperatingPlan
from tests.builders import set_plan_state

from .conftest import budget_post, login, urls

pytestmark = pytest.mark.shared_world

ROLES = ["superuser", "staff_a", "referent_a", "assembly_a", "auditor_a"]
STATES = ["bozza", "approvato", "chiuso"]
BUDGET_WRITERS = {"superuser", "staff_a"}
QUARTER_WRITERS = {"superuser", "staff_a", "referent_a"}  # the referente: own objective
APPROVERS = {"superuser", "staff_a", "assembly_a"}
CLOSERS = {"superuser", "staff_a"}
FIELD = re.compile(r"<(input|select|textarea)\b(?![^>]*type=\"hidden\")", re.I)


class Links(HTMLParser):
    """The links and buttons inside <main>."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag == "a" and self.depth:
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("/admin"):
                self.hrefs.append(href)

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1


def links_in_main(html):
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def budget_writable(role, state):
    return role in BUDGET_WRITERS and state != "chiuso"


def quarter_writable(role, state):
    return role in QUARTER_WRITERS and state != "chiuso"


def assert_read_view(content, *, submit):
    assert "Sola lettura." in content
    assert 'class="btn btn-outline-primary btn-sm me-2 js-print">Stampa</button>' in content
    assert "Scarica in Excel (.xlsx)" in content and "Scarica in CSV" in content
    main = content.split('<main', 1)[1].split("</main>", 1)[0]
    # A read view, not a form of disabled fields.
    assert not FIELD.search(main), FIELD.search(main)
    assert " disabled" not in main
    assert submit not in main
    assert 'method="post"' not in main


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_pages_offer_what_the_role_may_do_in_the_plan_state(client, world, entry, role, state):
    plan = entry["plan"]
    set_plan_state(plan, state)
    login(client, world, role)
    page = urls(entry)

    # The budget grid: a form for its writers while the plan allows it, else a read view.
    budget = client.get(page["budget"])
    assert budget.status_code == 200
    content = budget.content.decode()
    total = objective_totals(objective=entry["objective"])["preventivo"]
    assert f'id="total-preventivo">{format_euro(total)}' in content
    if budget_writable(role, state):
        assert "Salva il budget" in content and "Sola lettura." not in content
        assert "Importa da Excel o CSV" in content
    else:
        assert_read_view(content, submit="Salva il budget")
        assert "Importa da Excel o CSV" not in content
        assert "10,05 €" in content  # each line's figure, the Italian way
        # A write is refused with the reason the page shows, and changes nothing.
        line = entry["line"]
        response = client.post(page["budget"], budget_post(
            entry["objective"], edits={line.pk: {"preventivo": "1,00"}}))
        assert response.status_code == 403
        assert BudgetLine.objects.get(pk=line.pk).preventivo == Decimal("10.05")
        assert "Accesso non consentito" in response.content.decode()

    # The quarterly page.
    quarter = client.get(page["quarter"])
    assert quarter.status_code == 200
    content = quarter.content.decode()
    if quarter_writable(role, state):
        assert "Salva le rilevazioni" in content and "Sola lettura." not in content
    else:
        assert_read_view(content, submit="Salva le rilevazioni")
        assert "Obiettivo 1" in content

    # The plan page and the cruscotto: the controls offered.
    plan_page = client.get(page["plan_detail"]).content.decode()
    assert ("Approva il piano" in plan_page) == (state == "bozza" and role in APPROVERS)
    # The closing: the staff's task, every other role's read view (issue 18).
    assert ("Chiusura dell'anno" in plan_page) == (state != "bozza")
    closing_style = "btn-primary" if role in CLOSERS else "btn-outline-primary"
    closing_url = reverse("planning:closing", args=[plan.pk])
    if state != "bozza":
        assert f'class="btn {closing_style} btn-sm me-2 mb-2" href="{closing_url}">' in plan_page
    budget_url = reverse("budget:entry", args=[entry["objective"].pk])
    assert f'href="{budget_url}"' in plan_page
    dashboard = client.get(page["dashboard"]).content.decode()
    assert ("Inserisci le rilevazioni" in dashboard) == quarter_writable(role, state)
    if not quarter_writable(role, state):
        assert "Consulta le rilevazioni" in dashboard

    # Every link these pages offer opens for this user (no 403, no 404).
    seen = set()
    for name in ("plan_detail", "dashboard", "objective_detail", "budget", "quarter"):
        html = client.get(page[name]).content.decode()
        for href in links_in_main(html):
            if href in seen:
                continue
            seen.add(href)
            response = client.get(href, follow=True)
            assert response.status_code == 200, f"{role} {state}: {name} offers {href}, " \
                f"which answers {response.status_code}"


def offered_actions(page):
    form = page.context["action_form"]  # None when no action is left at all
    return [] if form is None else [value for value, _ in form.fields["action"].choices]


@pytest.mark.parametrize("state", STATES)
def test_admin_offers_bulk_actions_only_where_they_can_act(client, world, entry, state):
    set_plan_state(entry["plan"], state)
    OperatingPlan.objects.filter(zone_plan__ambito=world.a.ambito).exclude(
        pk=entry["plan"].pk).delete()
    login(client, world, "staff_a")
    for model in ("operatingplan", "objective"):
        page = client.get(reverse(f"admin:objectives_{model}_changelist"))
        assert page.status_code == 200
        actions = offered_actions(page)
        assert ("delete_selected" in actions) == (state == "bozza"), (model, actions)
        if model == "operatingplan":
            assert ("approve_plan" in actions) == (state == "bozza")
            assert ("close_year" in actions) == (state == "approvato")
    # Staff of the ambito may delete budget lines of a draft; measurements stay deletable
    # while the plan is approved (the year is still being recorded).
    lines = client.get(reverse("admin:budget_budgetline_changelist"))
    actions = offered_actions(lines)
    assert ("delete_selected" in actions) == (state == "bozza")
