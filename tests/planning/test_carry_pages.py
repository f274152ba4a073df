"""The page "Nuovo piano dall'anno precedente": roles, form errors, summary, creation."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from budget.models import BudgetLine
from core.roles import Role
from objectives.models import OperatingPlan

from ..builders import make_user

D = Decimal


@pytest.fixture
def po2018(db):
    return OperatingPlan.objects.select_related("zone_plan__ambito").get(
        zone_plan__ambito__slug="cremasco", year=2018
    )


@pytest.fixture
def users(po2018, world):
    cremasco = po2018.zone_plan.ambito
    return {
        "staff": make_user("ufficio.c", ambito=cremasco, role=Role.STAFF),
        "assembly": make_user("sindaco.c", ambito=cremasco, role=Role.ASSEMBLY),
        "referent": make_user("referente.c", ambito=cremasco, role=Role.REFERENT),
        "auditor": make_user("revisore.c", ambito=cremasco, role=Role.AUDITOR),
        "other_staff": world.user("staff_a"),
        "superuser": world.user("superuser"),
    }


def url(plan):
    return reverse("planning:carry", args=[plan.pk])


def form_data(**changes):
    data = {"year": "2019", "objectives": "on", "referents": "on", "indicators": "on",
            "milestones": "on", "budget": "on", "amounts": "preventivo"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role,status", [
    ("staff", 200), ("superuser", 200), ("assembly", 403), ("referent", 403), ("auditor", 403),
    ("other_staff", 404),
])
def test_page_per_role(client, po2018, users, role, status):
    client.force_login(users[role])
    assert client.get(url(po2018)).status_code == status
    response = client.post(url(po2018), form_data(confirm="1"))
    assert response.status_code == status if status != 200 else response.status_code == 302
    created = OperatingPlan.objects.filter(zone_plan__ambito=po2018.zone_plan.ambito, year=2019)
    assert created.exists() == (status == 200)


def test_anonymous_goes_to_login(client, po2018):
    response = client.get(url(po2018))
    assert response.status_code == 302 and response["Location"].startswith(reverse("entry:login"))


def test_plan_page_link_only_for_staff_and_only_without_next_plan(client, po2018, users):
    plan_url = reverse("objectives:plan_detail", args=[po2018.pk])
    client.force_login(users["assembly"])
    assert "Nuovo piano per il 2019" not in client.get(plan_url).content.decode()
    client.force_login(users["staff"])
    content = client.get(plan_url).content.decode()
    assert "Nuovo piano per il 2019" in content and url(po2018) in content
    client.post(url(po2018), form_data(confirm="1"))
    assert "Nuovo piano per il 2019" not in client.get(plan_url).content.decode()


def test_summary_then_confirm_creates_the_plan(client, po2018, users):
    client.force_login(users["staff"])
    page = client.get(url(po2018)).content.decode()
    assert 'value="2019"' in page
    response = client.post(url(po2018), form_data(amounts="consuntivo"))
    content = response.content.decode()
    assert response.status_code == 200 and "Riepilogo" in content
    assert "9.286.435,65" in content and "166" in content and "68" in content
    assert not OperatingPlan.objects.filter(year=2019, zone_plan=po2018.zone_plan).exists()
    response = client.post(url(po2018), form_data(amounts="consuntivo", confirm="1"))
    plan = OperatingPlan.objects.get(year=2019, zone_plan=po2018.zone_plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("objectives:plan_detail", args=[plan.pk])
    total = BudgetLine.objects.filter(action__objective__plan=plan).aggregate(t=Sum("preventivo"))
    assert total["t"] == D("9286435.65")
    page = client.get(response["Location"]).content.decode()
    assert "Creato il Piano Operativo 2019 in bozza" in page
    assert "Da rivedere: testo del 2018" in page and "Obiettivo 2:" in page


def test_bad_input_refused_at_the_field_and_nothing_created(client, po2018, users):
    client.force_login(users["staff"])
    before = OperatingPlan.objects.count()
    cases = [
        (form_data(year="2018"), "indica un anno successivo"),
        (form_data(year="2021"), "Nessun Piano di Zona"),
        (form_data(year="duemila"), "quattro cifre"),
        (form_data(objectives=None), "riporta anche obiettivi e azioni"),
        (form_data(amounts="tutto"), "Scegli una delle tre opzioni"),
    ]
    for data, message in cases:
        response = client.post(url(po2018), {**data, "confirm": "1"})
        content = response.content.decode()
        assert response.status_code == 400 and message in content, message
        assert "Il piano non è stato creato" in content
    assert OperatingPlan.objects.count() == before
    client.post(url(po2018), form_data(confirm="1"))
    response = client.post(url(po2018), form_data(confirm="1"))
    assert "Esiste già il Piano Operativo 2019" in response.content.decode()


def test_empty_plan_when_nothing_is_carried(client, po2018, users):
    client.force_login(users["staff"])
    data = {"year": "2019", "amounts": "nessuno", "confirm": "1"}
    assert client.post(url(po2018), data).status_code == 302
    plan = OperatingPlan.objects.get(year=2019, zone_plan=po2018.zone_plan)
    assert not plan.objectives.exists()
