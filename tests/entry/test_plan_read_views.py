"""Issue 18: the plan's own pages (structure, acts, variations, entrate, approval, closing)
answer every role of the ambito, in every plan state.

A generated matrix (role × plan state × page): whoever may write a page gets its controls
while the plan allows them; every other role of the ambito (referenti, the Assemblea, the
revisori) gets a read view with the same content and no control that changes data — no
POST form, no input field, no disabled field — and every link it offers opens. The pages
that exist only to change something answer those roles 403 with the Italian reason, and a
refused write leaves the data as it was. A closed plan offers nobody a control.
"""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import SurplusDestination, SurplusDestinationRow
from governance.models import Deliberation
from objectives.models import Objective, OperatingPlan, ZonePlan
from tests.builders import set_plan_state

from .conftest import login
from .test_read_views import links_in_main

pytestmark = pytest.mark.shared_world

ROLES = ["superuser", "staff_a", "referent_a", "assembly_a", "auditor_a"]
STATES = ["bozza", "approvato", "chiuso"]
STAFF = {"superuser", "staff_a"}
APPROVERS = STAFF | {"assembly_a"}
FIELD = re.compile(r"<(input|select|textarea)\b(?![^>]*type=\"hidden\")", re.I)
GET_FORM = re.compile(r"<form method=\"get\".*?</form>", re.S | re.I)


def page_specs(world):
    """name: (url, who writes it, text the page shows to everybody, control its writers get
    and in which states)."""
    a = world.a
    plan, objective = a[OperatingPlan], a[Objective]
    return {
        "structure": (reverse("planning:structure", args=[plan.pk]), STAFF,
                      "Obiettivo alfa", ("Aggiungi un obiettivo", {"bozza"})),
        "structure_objective": (reverse("planning:structure_objective", args=[objective.pk]),
                                STAFF, "Referente alfa", ("Aggiungi un'azione", {"bozza"})),
        "acts": (reverse("planning:act_list", args=[a.ambito.slug]), STAFF, "n. 1",
                 ("Registra un atto", set(STATES))),
        "act": (reverse("planning:act_detail", args=[a[Deliberation].pk]), set(),
                "Approvazione", None),
        "variations": (reverse("planning:variation_list", args=[plan.pk]), set(), "10,05 €",
                       None),
        "income": (reverse("planning:income", args=[plan.pk]), STAFF, "100,00 €",
                   ("Aggiungi un'entrata", {"bozza", "approvato"})),
        "approval": (reverse("planning:plan_approve", args=[plan.pk]), APPROVERS,
                     "Approvazione del PO", ("Approva il piano</button>", {"bozza"})),
        "zone_plan_approval": (reverse("planning:zone_plan_approve", args=[a[ZonePlan].pk]),
                               APPROVERS, "PdZ alfa",
                               ("Registra l'approvazione</button>", set(STATES))),
        "closing": (reverse("planning:closing", args=[plan.pk]), STAFF, "Avanzo non vincolato",
                    ("Aggiungi una riga", {"approvato"})),
    }


def main_of(content):
    return content.split("<main", 1)[1].split("</main>", 1)[0]


def assert_no_entry_control(main, what):
    """No POST form, no field outside a search (GET) form, nothing disabled."""
    assert 'method="post"' not in main, what
    fields = FIELD.search(GET_FORM.sub("", main))
    assert not fields, f"{what}: {fields.group(0)}"
    assert " disabled" not in main, what


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_plan_pages_answer_every_role_of_the_ambito(client, world, role, state):
    set_plan_state(world.a[OperatingPlan], state)
    login(client, world, role)
    seen = set()
    for name, (url, writers, shown, control) in page_specs(world).items():
        response = client.get(url)
        what = f"{name} as {role} ({state})"
        assert response.status_code == 200, what
        content = response.content.decode()
        main = main_of(content)
        assert shown in main, f"{what}: «{shown}» missing"
        writes = role in writers
        if control is not None:
            text, states = control
            assert (text in main) == (writes and state in states), f"{what}: {text}"
        if not writes:
            assert_no_entry_control(main, what)
            if name in ("approval", "zone_plan_approval", "closing", "income"):
                assert "Sola lettura." in main and "js-print" in main, what
        elif state == "chiuso" and name not in ("acts", "zone_plan_approval"):
            # A closed plan is frozen for its writers too (acts are the ambito's, and the
            # Piano di Zona outlives the year's plan).
            assert 'method="post"' not in main, what
        # Every link the page offers opens for this user.
        for href in links_in_main(content):
            if href in seen:
                continue
            seen.add(href)
            answer = client.get(href, follow=True)
            assert answer.status_code == 200, f"{what} offers {href}: {answer.status_code}"


def plan_links(client, world):
    plan = world.a[OperatingPlan]
    return client.get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()


@pytest.mark.parametrize("role", ["referent_a", "assembly_a", "auditor_a"])
def test_the_plan_page_links_the_read_views(client, world, role):
    plan = world.a[OperatingPlan]
    set_plan_state(plan, "approvato")
    login(client, world, role)
    content = plan_links(client, world)
    for name, args in (("structure", [plan.pk]), ("act_list", [world.a.ambito.slug]),
                       ("variation_list", [plan.pk]), ("income", [plan.pk]),
                       ("closing", [plan.pk]), ("carry_budget_export", [plan.pk, "xlsx"])):
        assert f'href="{reverse(f"planning:{name}", args=args)}"' in content, name
    # The approval is read on its page, not offered as a task.
    assert "Approvazione del piano" in content and "Approva il piano" not in content


# Pages that exist only to change something: readers get 403 with the reason.
WRITE_ONLY = {
    "structure_add": ("planning:structure_add", lambda w: ["obiettivi", w.a[OperatingPlan].pk],
                      "Solo l'Ufficio di Piano dell'ambito modifica la struttura del piano."),
    "act_create": ("planning:act_create", lambda w: [w.a.ambito.slug],
                   "Solo l'Ufficio di Piano registra gli atti."),
    "income_add": ("planning:income_add", lambda w: [w.a[OperatingPlan].pk],
                   "Solo l'Ufficio di Piano dell'ambito registra le entrate del piano."),
    "closing_row_add": ("planning:closing_row_add", lambda w: [w.a[OperatingPlan].pk],
                        "Solo l'Ufficio di Piano dell'ambito registra la destinazione e chiude "
                        "l'anno."),
    "carry": ("planning:carry", lambda w: [w.a[OperatingPlan].pk],
              "Solo l'Ufficio di Piano dell'ambito crea il Piano Operativo dell'anno "
              "successivo."),
}


@pytest.mark.parametrize("page", sorted(WRITE_ONLY))
@pytest.mark.parametrize("role", ["referent_a", "assembly_a", "auditor_a"])
def test_forms_refuse_readers_in_italian(client, world, role, page):
    set_plan_state(world.a[OperatingPlan], "approvato")
    login(client, world, role)
    name, args, reason = WRITE_ONLY[page]
    response = client.get(reverse(name, args=args(world)))
    assert response.status_code == 403
    content = html.unescape(response.content.decode())
    assert "Accesso non consentito" in content and reason in content


def closing_state(plan):
    return (OperatingPlan.objects.get(pk=plan.pk).state,
            list(SurplusDestination.objects.filter(plan=plan).values_list("state", "note")),
            list(SurplusDestinationRow.objects.filter(destination__plan=plan)
                 .values_list("pk", "description", "amount")),
            Deliberation.objects.count())


@pytest.mark.parametrize("role", ["referent_a", "auditor_a"])
def test_a_reader_posting_the_approval_is_refused_and_nothing_changes(client, world, role):
    plan = world.a[OperatingPlan]
    login(client, world, role)
    before = closing_state(plan)
    response = client.post(reverse("planning:plan_approve", args=[plan.pk]), {
        "mode": "existing", "existing": world.a[Deliberation].pk, "confirm": "on"})
    assert response.status_code == 403
    assert ("Solo l'Ufficio di Piano e l'Assemblea dei Sindaci registrano l'approvazione del "
            "piano.") in html.unescape(response.content.decode())
    assert closing_state(plan) == before and before[0] == "bozza"


@pytest.mark.parametrize("role", ["referent_a", "assembly_a", "auditor_a"])
def test_a_reader_posting_the_closing_is_refused_and_nothing_changes(client, world, role):
    plan = world.a[OperatingPlan]
    set_plan_state(plan, "approvato")
    login(client, world, role)
    before = closing_state(plan)
    row = SurplusDestinationRow.objects.get(destination__plan=plan)
    for name, args, data in (
        ("closing_start", [plan.pk], {"replace": "1"}),
        ("closing_row_edit", [row.pk], {"description": "Altro", "amount": "1,00",
                                        "restricted": "0"}),
        ("closing_row_delete", [row.pk], {}),
        ("closing_approve", [plan.pk], {"mode": "existing",
                                        "existing": world.a[Deliberation].pk}),
        ("closing_close", [plan.pk], {"expected_total": "5.00", "confirm": "on"}),
    ):
        response = client.post(reverse(f"planning:{name}", args=args), data)
        assert response.status_code == 403, name
        assert ("Solo l'Ufficio di Piano dell'ambito registra la destinazione e chiude l'anno."
                in html.unescape(response.content.decode())), name
    assert closing_state(plan) == before
    assert row.amount == Decimal("5.00")
