"""The closing page: proposal, destination editor, approval with its act, closing; roles."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budget.destination import destination_start
from budget.models import FundingAllocation, Surplus, SurplusDestination
from governance.models import Body, Deliberation
from objectives.models import OperatingPlan

from ..lifecycle.conftest import approve, enter_consuntivo

D = Decimal
ROLES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a", "anonymous"]
# Staff of the ambito write; every other role of the ambito reads the page without its
# controls (issue 18); plans of other ambiti do not exist for the user (404).
STATUS = {"superuser": 200, "staff_a": 200, "staff_b": 404, "referent_a": 200,
          "assembly_a": 200, "auditor_a": 200, "anonymous": 302}
WRITERS = {"superuser", "staff_a"}


@pytest.fixture
def plan_a(world):
    plan = world.a[OperatingPlan]
    Surplus.objects.filter(plan=plan).delete()  # the builder's rows: a year yet to be closed
    SurplusDestination.objects.filter(plan=plan).delete()
    return plan


@pytest.fixture
def plan(world, plan_a):
    """Plan A approved, every consuntivo entered: avanzo di gestione 84,00, non vincolato."""
    approve(plan_a, world)
    enter_consuntivo(plan_a, world)
    return plan_a


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))


def in_main(html):
    """The page's <main> (the header's logout form is a POST on every page)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_closing_page(client, world, plan, role):
    login(client, world, role)
    response = client.get(reverse("planning:closing", args=[plan.pk]))
    assert response.status_code == STATUS[role]
    if response.status_code == 200:
        content = response.content.decode()
        assert "Avanzo di gestione" in content and "84,00 €" in content
        assert ("Parti dalla proposta" in content) == (role in WRITERS)
        assert ('method="post"' in in_main(content)) == (role in WRITERS)
        assert ("Sola lettura." in content) == (role not in WRITERS)


@pytest.mark.parametrize("role", ["staff_b", "referent_a", "assembly_a", "auditor_a"])
def test_others_cannot_write_and_nothing_changes(client, world, plan, role):
    login(client, world, role)
    response = client.post(reverse("planning:closing_start", args=[plan.pk]))
    assert response.status_code in (403, 404)
    assert not SurplusDestination.objects.filter(plan=plan).exists()
    destination_start(plan=plan, user=world.user("staff_a"))
    row = SurplusDestination.objects.get(plan=plan).rows.get()
    response = client.post(reverse("planning:closing_row_delete", args=[row.pk]))
    assert response.status_code in (403, 404)
    response = client.post(reverse("planning:closing_close", args=[plan.pk]),
                           {"expected_total": "84.00", "confirm": "on"})
    assert response.status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.state == "approvato" and row.__class__.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("role", ["staff_a", "assembly_a", "referent_a", "auditor_a"])
def test_the_plan_page_offers_the_closing_to_every_role(client, world, plan, role):
    """The staff's button to use it, the other roles' link to read it (issue 18)."""
    login(client, world, role)
    content = client.get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    url = reverse("planning:closing", args=[plan.pk])
    style = "btn-primary" if role == "staff_a" else "btn-outline-primary"
    assert f'class="btn {style} btn-sm me-2 mb-2" href="{url}">Chiusura dell' in content


def test_a_draft_plan_offers_no_closing(client, world, plan_a):
    login(client, world, "staff_a")
    content = client.get(reverse("objectives:plan_detail", args=[plan_a.pk])).content.decode()
    assert reverse("planning:closing", args=[plan_a.pk]) not in content


def test_the_whole_closing_from_the_page(client, world, plan):
    login(client, world, "staff_a")
    url = reverse("planning:closing", args=[plan.pk])
    assert client.post(reverse("planning:closing_start", args=[plan.pk])).status_code == 302
    destination = SurplusDestination.objects.get(plan=plan)
    row = destination.rows.get()

    # a bad amount is refused at its field and nothing changes
    edit = reverse("planning:closing_row_edit", args=[row.pk])
    form = {"description": row.description, "amount": "ottanta", "restricted": "0",
            "channel": "", "source_action": "", "target_action": "", "target_text": "",
            "reason": ""}
    response = client.post(edit, form)
    assert response.status_code == 400
    assert "La riga non è stata salvata" in response.content.decode()
    row.refresh_from_db()
    assert row.amount == D("84.00")

    # 80,00 non vincolato, and 4,00 earmarked on FNPS for an action still to come
    assert client.post(edit, {**form, "amount": "80,00",
                              "reason": "Parte resta per il coordinamento"}).status_code == 302
    row.refresh_from_db()
    assert row.amount == D("80.00")
    page = client.get(url).content.decode()
    assert "Manca da destinare" in page and "4,00 €" in page

    # approval refused while the rows do not add up: the page says by how much
    act = {"mode": "new", "existing": "", "body": Body.objects.get(ambito=world.a.ambito).pk,
           "number": "5", "date": "2031-04-30",
           "subject": "Approvazione del consuntivo 2030 e destinazione dell'avanzo"}
    response = client.post(reverse("planning:closing_approve", args=[plan.pk]), act)
    assert response.status_code == 400
    assert "mancano 4,00 €" in response.content.decode()
    destination.refresh_from_db()
    assert destination.state == "bozza"
    assert not Deliberation.objects.filter(ambito=world.a.ambito, number="5").exists()

    add = reverse("planning:closing_row_add", args=[plan.pk])
    response = client.post(add, {"description": "Coordinamento 2031", "amount": "4,00",
                                 "restricted": "1", "channel": "", "source_action": "",
                                 "target_action": "",
                                 "target_text": "Coordinamento previsto nel PO 2031",
                                 "reason": "Decisione dell'Assemblea"})
    assert response.status_code == 302

    # closing refused before the approval
    response = client.post(reverse("planning:closing_close", args=[plan.pk]),
                           {"expected_total": "84.00", "confirm": "on"})
    assert response.status_code == 400

    response = client.post(reverse("planning:closing_approve", args=[plan.pk]), act)
    assert response.status_code == 302
    destination.refresh_from_db()
    assert destination.state == "approvata"
    assert destination.deliberation.number == "5"

    # the closing asks for the confirmation
    response = client.post(reverse("planning:closing_close", args=[plan.pk]),
                           {"expected_total": "84.00"})
    assert response.status_code == 400
    assert "Confermare la chiusura" in response.content.decode()
    response = client.post(reverse("planning:closing_close", args=[plan.pk]),
                           {"expected_total": "84.00", "confirm": "on"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == "chiuso"
    next_plan = OperatingPlan.objects.get(zone_plan__ambito=world.a.ambito, year=2031)
    carried = FundingAllocation.objects.filter(operating_plan=next_plan, kind="avanzo")
    assert sorted(carried.values_list("label", "amount", "restricted")) == [
        ("Avanzo gestionale 2030 - Avanzo non vincolato 2030", D("80.00"), False),
        ("Avanzo gestionale 2030 - Coordinamento 2031", D("4.00"), True),
    ]
    page = client.get(url).content.decode()
    assert "L&#x27;anno è chiuso" in page or "L'anno è chiuso" in page
    assert "Parte resta per il coordinamento" in page  # the history shows why


def test_a_new_act_must_be_complete(client, world, plan):
    login(client, world, "staff_a")
    client.post(reverse("planning:closing_start", args=[plan.pk]))
    response = client.post(reverse("planning:closing_approve", args=[plan.pk]),
                           {"mode": "new", "existing": "", "body": "", "number": "",
                            "date": "", "subject": ""})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Indicare il numero dell&#x27;atto." in content or \
        "Indicare il numero dell'atto." in content
    assert SurplusDestination.objects.get(plan=plan).state == "bozza"
