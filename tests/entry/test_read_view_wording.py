"""Issue 18: what the readers' budget view says. A channel by its name, never its code; a
total with no consuntivo entered under it reads "–" like its lines, one with some entered
their sum; and on an approved plan the banner speaks to the reader (the act that approved
it, "sola consultazione"), while the staff keep theirs (what may still be entered)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import BudgetLine, FundingChannel
from core import freeze
from governance.models import Deliberation
from objectives.models import Action, Objective, OperatingPlan
from tests.builders import set_plan_state

pytestmark = pytest.mark.shared_world

WRITERS_BANNER = "Si possono ancora inserire il consuntivo"


def _budget_page(client, world, role):
    client.force_login(world.user(role))
    response = client.get(reverse("budget:entry", args=[world.a[Objective].pk]))
    assert response.status_code == 200
    return response.content.decode()


def _cell(content, cell_id):
    return content.split(f'id="{cell_id}">', 1)[1].split("<", 1)[0]


def _subtotal(content):
    row = content.split('class="subtotal"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<td class="num"[^>]*>([^<]*)<', row)


@pytest.mark.parametrize("role", ["auditor_a", "assembly_a"])
def test_a_channel_reads_by_its_name(client, world, role):
    FundingChannel.objects.filter(pk=world.a[FundingChannel].pk).update(
        code="DOPO_DI_NOI", name="Dopo di Noi (L.112/2016)")
    BudgetLine.objects.filter(pk=world.a[BudgetLine].pk).update(channel=world.a[FundingChannel])
    content = _budget_page(client, world, role)
    assert '<td data-label="Canale"><span>Dopo di Noi (L.112/2016)</span></td>' in content
    assert "DOPO_DI_NOI" not in content


@pytest.mark.parametrize("role", ["auditor_a", "assembly_a"])
def test_totals_say_dash_until_a_consuntivo_is_entered(client, world, role):
    lines = BudgetLine.objects.filter(action__objective=world.a[Objective])
    assert not lines.exclude(consuntivo=None).exists()
    content = _budget_page(client, world, role)
    assert _cell(content, "total-consuntivo") == "–"
    assert _cell(content, "foot-consuntivo") == "–"
    assert _subtotal(content)[1] == "–"
    assert "0,00 €" not in content

    # One line entered (12,34 €), the other still empty: the totals are the sum.
    line = world.a[BudgetLine]
    BudgetLine.objects.filter(pk=line.pk).update(consuntivo=Decimal("12.34"))
    content = _budget_page(client, world, role)
    assert _cell(content, "total-consuntivo") == "12,34 €"
    assert _cell(content, "foot-consuntivo") == "12,34 €"
    assert _subtotal(content) == ["20,10 €", "12,34 €"]  # 2 × 10,05 € preventivo


def test_an_action_without_consuntivo_keeps_its_dash_beside_one_with(client, world):
    objective = world.a[Objective]
    other = Action.objects.create(objective=objective, number=9, title="Azione nuova")
    BudgetLine.objects.create(action=other, item="Voce nuova", preventivo=Decimal("5.00"),
                              position=0)
    BudgetLine.objects.filter(pk=world.a[BudgetLine].pk).update(consuntivo=Decimal("1.50"))
    content = _budget_page(client, world, "auditor_a")
    assert _cell(content, "foot-consuntivo") == "1,50 €"
    subtotals = content.split('class="subtotal"')[1:]
    assert [re.findall(r'<td class="num"[^>]*>([^<]*)<', s.split("</tr>", 1)[0])[1]
            for s in subtotals] == ["1,50 €", "–"]


@pytest.mark.parametrize("role", ["auditor_a", "assembly_a"])
def test_readers_banner_on_an_approved_plan(client, world, role):
    plan = world.a[OperatingPlan]
    set_plan_state(plan, "approvato")
    act = Deliberation.objects.create(ambito=world.a.ambito, number="7",
                                      date=date(plan.year, 3, 2), subject="Approvazione PO")
    with freeze.allow(freeze.LOADING):
        OperatingPlan.objects.filter(pk=plan.pk).update(approval=act)
    expected = f"approvato con delibera n. 7 del 02/03/{plan.year}: sola consultazione."
    client.force_login(world.user(role))
    for url in (reverse("budget:entry", args=[world.a[Objective].pk]),
                reverse("indicators:quarter", args=[plan.pk, 1]),
                reverse("objectives:plan_detail", args=[plan.pk]),
                reverse("objectives:dashboard", args=[plan.pk])):
        content = client.get(url).content.decode()
        assert expected in content, url
        assert WRITERS_BANNER not in content, url

    # The Ufficio di Piano and the referente still read what they may enter.
    for writer in ("staff_a", "referent_a"):
        assert WRITERS_BANNER in _budget_page(client, world, writer), writer
