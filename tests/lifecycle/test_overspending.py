"""Overspending: flagged by selectors, warned about or refused on entry as each fund says."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget.models import BudgetLine, FundingAllocation, FundingChannel
from budget.selectors import channel_positions, overspending_flags
from budget.services import (
    budget_line_set_consuntivo,
    budget_line_update,
    variation_create,
)
from objectives.models import Action, OperatingPlan

from .conftest import approve, make_deliberation

D = Decimal


@pytest.fixture
def fund(world, plan_a):
    """A restricted fund bringing 30,00 to plan A, paying one line of 25,00."""
    channel = FundingChannel.objects.create(ambito=world.a.ambito, code="FSR", name="FSR",
                                            restricted=True)
    FundingAllocation.objects.create(
        ambito=world.a.ambito, operating_plan=plan_a, year=2030, channel=channel,
        label="FSR 2030", amount=D("30.00"), restricted=True,
    )
    line = BudgetLine.objects.create(action=world.a[Action], item="Nidi", channel=channel,
                                     preventivo=D("25.00"), position=3)
    return channel, line


def test_flags_lines_over_their_preventivo_and_funds_over_their_entrate(world, plan_a, fund):
    channel, line = fund
    approve(plan_a, world)
    staff = world.user("staff_a")
    result = budget_line_set_consuntivo(line=line, amount="35.00", user=staff)
    assert result.warnings == [
        "La spesa di «Nidi» (35,00 €) supera il preventivo (25,00 €) di 10,00 €.",
        "Le spese sul fondo FSR (35,00 €) superano le sue entrate (30,00 €) di 5,00 €.",
    ]
    flags = overspending_flags(plan=plan_a)
    [flagged_line] = flags["lines"]
    assert (flagged_line, flagged_line.excess) == (line, D("10.00"))
    [position] = flags["channels"]
    assert (position.channel, position.committed, position.spent) == (channel, D("25.00"),
                                                                     D("35.00"))
    assert position.over_spent and not position.over_committed


def test_a_fund_that_refuses_overspending_stops_the_entry(world, plan_a, fund):
    channel, line = fund
    channel.overspend_policy = FundingChannel.OverspendPolicy.REFUSE
    channel.save()
    approve(plan_a, world)
    with pytest.raises(ValidationError, match="non ammette spese oltre il previsto"):
        budget_line_set_consuntivo(line=line, amount="25.01", user=world.user("staff_a"))
    line.refresh_from_db()
    assert line.consuntivo is None
    budget_line_set_consuntivo(line=line, amount="25.00", user=world.user("staff_a"))


def test_commitments_over_the_funds_entrate_on_a_draft(world, plan_a, fund):
    channel, line = fund
    result = budget_line_update(line=line, user=world.user("staff_a"), preventivo="31.00")
    assert result.warnings == [
        "Gli impegni sul fondo FSR (31,00 €) superano le sue entrate (30,00 €) di 1,00 €."
    ]
    assert [p.over_committed for p in channel_positions(plan=plan_a)] == [True]
    channel.overspend_policy = FundingChannel.OverspendPolicy.REFUSE
    channel.save()
    with pytest.raises(ValidationError, match="Gli impegni sul fondo FSR"):
        budget_line_update(line=line, user=world.user("staff_a"), preventivo="32.00")
    line.refresh_from_db()
    assert line.preventivo == D("31.00")
    # lowering a commitment is never refused
    budget_line_update(line=line, user=world.user("staff_a"), preventivo="30.50")


def test_a_variation_beyond_the_fund_is_refused_by_a_strict_fund(world, plan_a, fund):
    channel, line = fund
    channel.overspend_policy = FundingChannel.OverspendPolicy.REFUSE
    channel.save()
    approve(plan_a, world)
    act = make_deliberation(world.a.ambito, number="8", approves="variation", act=False)
    with pytest.raises(ValidationError, match="Gli impegni sul fondo FSR"):
        variation_create(line=line, new_amount="40.00", reason="Più posti", deliberation=act,
                         user=world.user("staff_a"))
    line.refresh_from_db()
    assert line.preventivo == D("25.00")


def test_the_admin_refuses_or_warns_on_entry(client, world, plan_a, fund):
    channel, line = fund
    approve(plan_a, world)
    client.force_login(world.user("staff_a"))
    url = reverse("admin:budget_budgetline_change", args=[line.pk])
    form = {"consuntivo": "40,00"}
    response = client.post(url, form, follow=True)
    assert "supera il preventivo" in response.content.decode()  # a warning, saved
    line.refresh_from_db()
    assert line.consuntivo == D("40.00")
    channel.overspend_policy = FundingChannel.OverspendPolicy.REFUSE
    channel.save()
    response = client.post(url, {"consuntivo": "45,00"})
    assert response.status_code == 200
    assert "non ammette spese oltre il previsto" in response.content.decode()
    line.refresh_from_db()
    assert line.consuntivo == D("40.00")


def test_the_2018_seed_flags(db):
    plan = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)
    flags = overspending_flags(plan=plan)
    assert len(flags["lines"]) == 37
    assert flags["lines"][0].item == "Sviluppo sistemi informatici"
    assert {p.channel.code for p in flags["channels"]} == {
        "BANCA_ACQUA", "CARIPLO", "CLAC", "FNA", "PRO_VI", "REDDITO_AUTONOMIA",
    }
