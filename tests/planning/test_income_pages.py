"""The entrate page of a plan: roles, adding/editing/removing, totals equal to the selectors'."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import FundingAllocation, FundingChannel, SurplusDestinationRow
from budget.selectors import allocation_totals, channel_totals, plan_funding
from core.formatting import format_euro
from objectives.models import OperatingPlan

from ..builders import set_plan_state

D = Decimal
# Staff, Assemblea and referenti of the ambito read; revisori 403; other ambiti 404.
READ = {"superuser": 200, "staff_a": 200, "referent_a": 200, "assembly_a": 200,
        "auditor_a": 200, "staff_b": 404, "anonymous": 302}  # revisori read (issue 18)
EDIT = {"superuser": 200, "staff_a": 200, "referent_a": 403, "assembly_a": 403,
        "auditor_a": 403, "staff_b": 404, "anonymous": 302}


@pytest.fixture
def plan(world):
    return world.a[OperatingPlan]


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def amounts(plan):
    return sorted(FundingAllocation.objects.filter(ambito_id=plan.zone_plan.ambito_id)
                  .values_list("pk", "stage", "label", "amount"))


@pytest.mark.parametrize("role", sorted(READ))
def test_roles_read(client, world, plan, role):
    login(client, world, role)
    response = client.get(reverse("planning:income", args=[plan.pk]))
    assert response.status_code == READ[role]
    if READ[role] == 200:
        editable = EDIT[role] == 200
        assert ("Aggiungi un'entrata a preventivo" in response.content.decode()) == editable


@pytest.mark.parametrize("role", sorted(EDIT))
def test_roles_write(client, world, plan, role):
    login(client, world, role)
    allocation = world.a[FundingAllocation]
    before = amounts(plan)
    add = reverse("planning:income_add", args=[plan.pk])
    assert client.get(add).status_code == EDIT[role]
    response = client.post(add, {"label": "Quote dei Comuni", "amount": "1.234,56",
                                 "kind": "entrata"})
    edit = reverse("planning:income_edit", args=[plan.pk, allocation.pk])
    client.post(edit, {"label": "FNPS", "amount": "7,00", "kind": "entrata"})
    if EDIT[role] == 200:
        assert response.status_code == 302
        assert FundingAllocation.objects.get(label="Quote dei Comuni").amount == D("1234.56")
        allocation.refresh_from_db()
        assert allocation.amount == D("7.00")
    else:
        assert response.status_code == EDIT[role]
        assert amounts(plan) == before


def test_bad_amount_at_the_field_nothing_saved(client, world, plan):
    login(client, world, "staff_a")
    before = amounts(plan)
    response = client.post(reverse("planning:income_add", args=[plan.pk]),
                           {"label": "Quote", "amount": "12,3,4", "kind": "entrata"})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert 'id="id_amount_error">L\'importo «12,3,4» non è un numero valido' in body
    response = client.post(reverse("planning:income_add", args=[plan.pk]),
                           {"label": "", "amount": "-5,00", "kind": "entrata"})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert 'id="id_label_error">Indicare la voce dell\'entrata.' in body
    assert amounts(plan) == before


def test_delete(client, world, plan):
    login(client, world, "staff_a")
    allocation = world.a[FundingAllocation]
    url = reverse("planning:income_delete", args=[plan.pk, allocation.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not FundingAllocation.objects.filter(pk=allocation.pk).exists()


def test_accertate_on_approved_plan_preventivo_locked(client, world, plan):
    set_plan_state(plan, "approvato")
    login(client, world, "staff_a")
    planned = world.a[FundingAllocation]
    assert client.get(reverse("planning:income_edit", args=[plan.pk, planned.pk])
                      ).status_code == 403
    response = client.post(reverse("planning:income_add", args=[plan.pk]),
                           {"label": "FNPS accertato", "amount": "100,01", "kind": "entrata",
                            "channel": world.a[FundingChannel].pk})
    assert response.status_code == 302 and response.url.endswith("#accertate")
    created = FundingAllocation.objects.get(label="FNPS accertato")
    assert (created.stage, created.amount, created.operating_plan_id) == (
        "consuntivo", D("100.01"), plan.pk)
    set_plan_state(plan, "chiuso")
    before = amounts(plan)
    assert client.get(reverse("planning:income_add", args=[plan.pk])).status_code == 403
    assert client.post(reverse("planning:income_edit", args=[plan.pk, created.pk]),
                       {"label": "X", "amount": "1,00", "kind": "entrata"}).status_code == 403
    assert amounts(plan) == before


def test_carried_avanzo_read_only_on_the_page(client, world, plan):
    carried = FundingAllocation.objects.create(
        ambito=plan.zone_plan.ambito, operating_plan=plan, year=plan.year, kind="avanzo",
        label="Avanzo gestionale 2029 - Fondo", amount=D("50.00"),
        destination_row=world.a[SurplusDestinationRow],
    )
    login(client, world, "staff_a")
    body = client.get(reverse("planning:income", args=[plan.pk])).content.decode()
    row = re.search(rf'<tr id="entrata-{carried.pk}">.*?</tr>', body, re.S).group(0)
    assert "Modifica" not in row and "dalla chiusura" in row
    for name in ("planning:income_edit", "planning:income_delete"):
        url = reverse(name, args=[plan.pk, carried.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"label": "X", "amount": "1,00", "kind": "entrata"}
                           ).status_code == 403
    carried.refresh_from_db()
    assert carried.amount == D("50.00")


def test_totals_on_the_page_are_the_selectors(client, world, plan):
    set_plan_state(plan, "approvato")
    FundingAllocation.objects.create(
        ambito=plan.zone_plan.ambito, operating_plan=plan, year=plan.year, stage="consuntivo",
        label="Accertata", amount=D("1234.56"), channel=world.a[FundingChannel])
    FundingAllocation.objects.create(
        ambito=plan.zone_plan.ambito, operating_plan=plan, year=plan.year, stage="consuntivo",
        kind="non_applicata", label="Non applicata", amount=D("0.57"))
    login(client, world, "assembly_a")
    body = client.get(reverse("planning:income", args=[plan.pk])).content.decode()

    def shown(id_):
        return re.search(rf'id="{id_}">([^<]*)<', body).group(1)

    ambito = plan.zone_plan.ambito
    for anchor, stage in (("preventivo", "preventivo"), ("accertate", "consuntivo")):
        totals = allocation_totals(ambito=ambito, year=plan.year, stage=stage)
        for key in ("avanzo", "entrata", "budget", "net"):
            assert shown(f"{anchor}-{key}") == format_euro(totals[key])
        assert shown(f"{anchor}-non-applicata") == format_euro(totals["non_applicata"])
    assert shown("accertate-net") == "1.233,99 €"
    assert shown("preventivo-net") == "100,00 €"
    funding = plan_funding(plan=plan)
    assert shown("funding-planned") == format_euro(funding["funding"])
    assert shown("plan-preventivo") == format_euro(funding["preventivo"])
    assert shown("funding-actual") == format_euro(plan_funding(plan=plan,
                                                               prefer="consuntivo")["funding"])
    channel = next(c for c in channel_totals(plan=plan) if c["channel"])
    row = re.search(rf'<tr id="channel-{channel["channel"]}">.*?</tr>', body, re.S).group(0)
    assert format_euro(channel["consuntivo"]["net"]) == "1.234,56 €"
    assert format_euro(channel["preventivo"]["net"]) == "100,00 €"
    assert "1.234,56 €" in row and "100,00 €" in row


def test_plan_page_links(client, world, plan):
    login(client, world, "assembly_a")
    body = client.get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    assert 'id="income-link"' in body and 'id="consuntivo-import-link"' not in body
    client.force_login(world.user("auditor_a"))
    body = client.get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    assert 'id="income-link"' in body  # revisori read the entrate too (issue 18)
    assert 'id="consuntivo-import-link"' not in body
    set_plan_state(plan, "approvato")
    client.force_login(world.user("staff_a"))
    body = client.get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    assert 'id="consuntivo-import-link"' in body
