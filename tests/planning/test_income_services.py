"""budget/income.py: the entrate per canale of a plan, by stage, state and role."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budget.income import allocation_create, allocation_delete, allocation_update
from budget.models import FundingAllocation, FundingChannel, SurplusDestinationRow
from budget.selectors import allocation_totals, plan_funding
from objectives.models import OperatingPlan

from ..builders import set_plan_state

D = Decimal


@pytest.fixture
def plan(world):
    return world.a[OperatingPlan]


@pytest.fixture
def staff(world):
    return world.user("staff_a")


def snapshot(plan):
    return sorted(FundingAllocation.objects.filter(ambito_id=plan.zone_plan.ambito_id)
                  .values_list("pk", "stage", "kind", "label", "amount", "channel_id"))


def test_create_in_draft_to_the_cent_with_history(plan, staff, world):
    channel = world.a[FundingChannel]
    before = allocation_totals(ambito=plan.zone_plan.ambito, year=plan.year, stage="preventivo")
    allocation = allocation_create(plan=plan, user=staff, stage="preventivo", kind="entrata",
                                   label="FNPS 2030", amount=D("12345.67"), channel=channel,
                                   restricted=True, reason="Decreto di riparto")
    allocation.refresh_from_db()
    assert (allocation.amount, allocation.operating_plan, allocation.year, allocation.stage) == (
        D("12345.67"), plan, plan.year, "preventivo")
    after = allocation_totals(ambito=plan.zone_plan.ambito, year=plan.year, stage="preventivo")
    assert after["entrata"] - before["entrata"] == D("12345.67")
    assert plan_funding(plan=plan)["funding"] == D("100.00") + D("12345.67")
    record = allocation.history.latest()
    assert (record.history_user, record.history_change_reason) == (staff, "Decreto di riparto")


def test_update_and_delete_keep_history(plan, staff):
    allocation = allocation_create(plan=plan, user=staff, stage="preventivo", label="Comuni",
                                   amount=D("10.00"))
    allocation_update(allocation=allocation, plan=plan, user=staff, amount=D("10.01"),
                      reason="Correzione")
    allocation.refresh_from_db()
    assert allocation.amount == D("10.01")
    assert allocation.history.latest().history_change_reason == "Correzione"
    allocation_delete(allocation=allocation, plan=plan, user=staff, reason="Doppione")
    assert not FundingAllocation.objects.filter(pk=allocation.pk).exists()
    record = FundingAllocation.history.filter(id=allocation.pk).latest()
    assert (record.history_type, record.history_change_reason, record.history_user) == (
        "-", "Doppione", staff)


@pytest.mark.parametrize("amount, field, message", [
    (D("-1.00"), "amount", "L'importo non può essere negativo."),
    (None, "amount", "Indicare l'importo."),
    (D("1.001"), "amount", "L'importo ha al massimo due decimali."),
])
def test_bad_amount_refused_at_the_field(plan, staff, amount, field, message):
    before = snapshot(plan)
    with pytest.raises(ValidationError) as exc:
        allocation_create(plan=plan, user=staff, stage="preventivo", label="X", amount=amount)
    assert exc.value.message_dict[field] == [message]
    assert snapshot(plan) == before


def test_channel_of_another_ambito_refused(plan, staff, world):
    before = snapshot(plan)
    with pytest.raises(ValidationError) as exc:
        allocation_create(plan=plan, user=staff, stage="preventivo", label="X",
                          amount=D("1.00"), channel=world.b[FundingChannel])
    assert exc.value.message_dict["channel"] == ["Il canale non è dell'ambito del piano."]
    assert snapshot(plan) == before


def test_accertate_only_while_approved(plan, staff):
    with pytest.raises(ValidationError) as exc:
        allocation_create(plan=plan, user=staff, stage="consuntivo", label="X", amount=D("1"))
    assert "si registrano quando il Piano Operativo è approvato" in exc.value.messages[0]
    set_plan_state(plan, "approvato")
    plan.refresh_from_db()
    allocation = allocation_create(plan=plan, user=staff, stage="consuntivo",
                                   label="FNPS accertato", amount=D("99.99"))
    totals = allocation_totals(ambito=plan.zone_plan.ambito, year=plan.year, stage="consuntivo")
    assert totals["net"] == D("99.99")
    allocation_update(allocation=allocation, plan=plan, user=staff, amount=D("100.01"))
    allocation.refresh_from_db()
    assert allocation.amount == D("100.01")


def test_preventivo_frozen_once_approved_and_everything_once_closed(plan, staff, world):
    planned = world.a[FundingAllocation]  # the builder's preventivo entrata
    set_plan_state(plan, "approvato")
    plan.refresh_from_db()
    before = snapshot(plan)
    with pytest.raises(ValidationError) as exc:
        allocation_update(allocation=planned, plan=plan, user=staff, amount=D("1.00"))
    assert exc.value.messages == [
        f"Il Piano Operativo {plan.year} è approvato: le entrate a preventivo non si "
        "modificano più; si registrano le entrate accertate."]
    with pytest.raises(ValidationError):
        allocation_create(plan=plan, user=staff, stage="preventivo", label="X", amount=D("1"))
    actual = allocation_create(plan=plan, user=staff, stage="consuntivo", label="Acc.",
                               amount=D("5.00"))
    before = snapshot(plan)
    set_plan_state(plan, "chiuso")
    plan.refresh_from_db()
    closed = f"Il Piano Operativo {plan.year} è chiuso: non si può modificare."
    for call in (
        lambda: allocation_update(allocation=actual, plan=plan, user=staff, amount=D("6")),
        lambda: allocation_delete(allocation=actual, plan=plan, user=staff),
        lambda: allocation_create(plan=plan, user=staff, stage="consuntivo", label="X",
                                  amount=D("1")),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.messages == [closed]
    assert snapshot(plan) == before


def test_carried_avanzo_is_read_only(plan, staff, world):
    carried = FundingAllocation.objects.create(
        ambito=plan.zone_plan.ambito, operating_plan=plan, year=plan.year, kind="avanzo",
        label=f"Avanzo gestionale {plan.year - 1} - Fondo", amount=D("869860.50"),
        destination_row=world.a[SurplusDestinationRow],
    )
    before = snapshot(plan)
    for call in (
        lambda: allocation_update(allocation=carried, plan=plan, user=staff, amount=D("1")),
        lambda: allocation_delete(allocation=carried, plan=plan, user=staff),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert "viene dalla chiusura dell'anno" in exc.value.messages[0]
    assert snapshot(plan) == before
    assert SurplusDestinationRow.objects.filter(pk=world.a[SurplusDestinationRow].pk).exists()


@pytest.mark.parametrize("role", ["referent_a", "assembly_a", "auditor_a", "staff_b"])
def test_only_staff_of_the_ambito_write(plan, world, role):
    user = world.user(role)
    allocation = world.a[FundingAllocation]
    before = snapshot(plan)
    with pytest.raises(PermissionDenied):
        allocation_create(plan=plan, user=user, stage="preventivo", label="X", amount=D("1"))
    with pytest.raises(PermissionDenied):
        allocation_update(allocation=allocation, plan=plan, user=user, amount=D("1"))
    with pytest.raises(PermissionDenied):
        allocation_delete(allocation=allocation, plan=plan, user=user)
    assert snapshot(plan) == before
