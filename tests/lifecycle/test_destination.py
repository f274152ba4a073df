"""The destination of the avanzo (budget/destination.py): from the proposal to the approval."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budget.destination import (
    destination_approve,
    destination_link_targets,
    destination_reopen,
    destination_row_add,
    destination_row_remove,
    destination_row_update,
    destination_start,
    destination_summary,
)
from budget.models import (
    BudgetLine,
    FundingAllocation,
    FundingChannel,
    SurplusDestination,
    SurplusDestinationRow,
)
from budget.services import year_close
from objectives.models import Action, Objective, OperatingPlan

from .conftest import approve, enter_consuntivo, make_deliberation

D = Decimal


@pytest.fixture
def closing(world, plan_a):
    """Plan A approved with every consuntivo (avanzo 84,00, all non vincolato) and a fund."""
    approve(plan_a, world)
    enter_consuntivo(plan_a, world)
    return plan_a


@pytest.fixture
def staff(world):
    return world.user("staff_a")


@pytest.fixture
def act(world):
    return make_deliberation(world.a.ambito, approves="consuntivo", number="7",
                             when=date(2031, 4, 30))


def _rows(destination):
    return [(r.description, r.amount, r.restricted) for r in destination.rows.order_by("position")]


def test_the_destination_starts_from_the_proposal(closing, staff):
    destination = destination_start(plan=closing, user=staff)
    assert destination.state == "bozza"
    assert _rows(destination) == [("Avanzo non vincolato 2030", D("84.00"), False)]
    summary = destination_summary(plan=closing)
    assert (summary.avanzo, summary.total, summary.difference) == (D("84.00"), D("84.00"), 0)
    with pytest.raises(ValidationError, match="esiste già"):
        destination_start(plan=closing, user=staff)


def test_rows_are_added_edited_reassigned_and_removed_with_history(world, closing, staff):
    destination = destination_start(plan=closing, user=staff)
    fnps = world.a[FundingChannel]
    unrestricted = destination.rows.get()
    destination_row_update(row=unrestricted, user=staff, amount="60.50",
                           reason="Parte vincolata all'azione 1")
    row = destination_row_add(
        destination=destination, user=staff, description="Coordinamento 2031",
        amount=D("23.50"), restricted=True, channel=fnps, source_action=world.a[Action],
        target_text="Azione di coordinamento del PO 2031", reason="Decisione dell'Assemblea",
    )
    assert (row.source_objective, row.position) == (world.a[Objective], 1)
    summary = destination_summary(plan=closing)
    assert (summary.total, summary.restricted, summary.unrestricted) == (
        D("84.00"), D("23.50"), D("60.50"))
    funds = {f.label: (f.proposal, f.destination, f.difference) for f in summary.funds}
    assert funds == {
        "FNPS": (D("0.00"), D("23.50"), D("23.50")),
        "Fondo indistinto": (D("84.00"), D("60.50"), D("-23.50")),
    }
    history = unrestricted.history.first()
    assert (history.history_user, history.history_change_reason) == (
        staff, "Parte vincolata all'azione 1")
    destination_row_remove(row=row, user=staff)
    assert not SurplusDestinationRow.objects.filter(pk=row.pk).exists()
    assert SurplusDestinationRow.history.filter(id=row.pk, history_type="-").exists()


@pytest.mark.parametrize("fields, field, message", [
    ({"amount": "0"}, "amount", "maggiore di zero"),
    ({"amount": "-3"}, "amount", "maggiore di zero"),
    ({"amount": "1.005"}, "amount", "al massimo due decimali"),
    ({"amount": "dieci"}, "amount", "non è valido"),
    ({"description": " "}, "description", "Indicare la descrizione"),
])
def test_bad_rows_are_refused_at_the_field_and_nothing_changes(closing, staff, fields, field,
                                                               message):
    destination = destination_start(plan=closing, user=staff)
    values = {"description": "Riga", "amount": "5.00", **fields}
    with pytest.raises(ValidationError) as exc:
        destination_row_add(destination=destination, user=staff, **values)
    assert message in " ".join(exc.value.message_dict[field])
    assert destination.rows.count() == 1


def test_targets_must_be_of_the_next_plan_and_only_for_restricted_rows(world, closing, staff):
    destination = destination_start(plan=closing, user=staff)
    with pytest.raises(ValidationError) as exc:
        destination_row_add(destination=destination, user=staff, description="X",
                            amount="1.00", target_action=world.a[Action])
    assert "Piano Operativo 2031" in exc.value.message_dict["target_action"][0]
    nxt = OperatingPlan.objects.create(zone_plan=closing.zone_plan, year=2031, title="PO 2031")
    target = Action.objects.create(
        objective=Objective.objects.create(plan=nxt, number=1, title="Ob"), number=1, title="Az")
    with pytest.raises(ValidationError) as exc:
        destination_row_add(destination=destination, user=staff, description="X",
                            amount="1.00", restricted=False, target_action=target)
    assert "non vincolata" in exc.value.message_dict["target_action"][0]
    other = world.b[FundingChannel]
    with pytest.raises(ValidationError) as exc:
        destination_row_add(destination=destination, user=staff, description="X",
                            amount="1.00", channel=other)
    assert "non appartiene" in exc.value.message_dict["channel"][0]


def test_approval_is_refused_unless_the_rows_add_up_saying_by_how_much(closing, staff, act):
    destination = destination_start(plan=closing, user=staff)
    row = destination.rows.get()
    destination_row_update(row=row, user=staff, amount="80.00")
    with pytest.raises(ValidationError, match="mancano 4,00 €"):
        destination_approve(destination=destination, deliberation=act, user=staff)
    destination_row_update(row=row, user=staff, amount="84.41")
    with pytest.raises(ValidationError, match="le superano di 0,41 €"):
        destination_approve(destination=destination, deliberation=act, user=staff)
    destination.refresh_from_db()
    assert destination.state == "bozza" and destination.deliberation is None
    destination_row_update(row=row, user=staff, amount="84.00")
    destination_approve(destination=destination, deliberation=act, user=staff)
    destination.refresh_from_db()
    assert (destination.state, destination.deliberation, destination.approved_by) == (
        "approvata", act, staff)


def test_the_act_must_be_of_the_ambito_and_of_the_assemblea(world, closing, staff):
    destination = destination_start(plan=closing, user=staff)
    foreign = make_deliberation(world.b.ambito, approves="consuntivo", number="8")
    with pytest.raises(ValidationError, match="non appartiene all'Ambito alfa"):
        destination_approve(destination=destination, deliberation=foreign, user=staff)
    with pytest.raises(ValidationError, match="Indicare la delibera"):
        destination_approve(destination=destination, deliberation=None, user=staff)
    old = make_deliberation(world.a.ambito, number="9", when=date(2029, 5, 1))
    with pytest.raises(ValidationError, match="anteriore al 2030"):
        destination_approve(destination=destination, deliberation=old, user=staff)


@pytest.mark.parametrize("role", ["assembly_a", "referent_a", "auditor_a", "staff_b", "nobody"])
def test_only_the_staff_of_the_ambito_record_the_destination(world, closing, role):
    with pytest.raises(PermissionDenied):
        destination_start(plan=closing, user=world.user(role))
    assert not SurplusDestination.objects.filter(plan=closing).exists()


def test_an_approved_destination_changes_only_where_rows_go_or_once_reopened(
        world, closing, staff, act):
    destination = destination_start(plan=closing, user=staff)
    destination_approve(destination=destination, deliberation=act, user=staff)
    row = destination.rows.get()
    with pytest.raises(ValidationError, match="riaprirla"):
        destination_row_update(row=row, user=staff, amount="80.00")
    with pytest.raises(ValidationError, match="riaprirla"):
        destination_row_remove(row=row, user=staff)
    destination_row_update(row=row, user=staff, target_text="Fondo di riserva 2031")
    destination_reopen(destination=destination, user=staff)
    destination.refresh_from_db()
    assert (destination.state, destination.deliberation) == ("bozza", None)
    with pytest.raises(ValidationError, match="non è approvata"):
        year_close(plan=closing, user=staff)


def test_rows_are_linked_to_the_actions_of_the_next_plan_by_number(world, staff, plan_a):
    line = BudgetLine.objects.filter(action__objective__plan=plan_a).first()
    fna = FundingChannel.objects.create(ambito=world.a.ambito, code="FNA", name="FNA",
                                        restricted=True)
    line.channel = fna
    line.save()
    FundingAllocation.objects.create(
        ambito=world.a.ambito, operating_plan=plan_a, year=2030, channel=fna, restricted=True,
        label="FNA 2030", amount=D("20.00"),
    )
    approve(plan_a, world)
    enter_consuntivo(plan_a, world)
    destination = destination_start(plan=plan_a, user=staff)
    # the line's economia (2,05) and the FNA entrate no line was given (9,95)
    assert list(destination.rows.filter(restricted=True).values_list("amount", flat=True)) == [
        D("2.05"), D("9.95")]
    restricted = destination.rows.filter(restricted=True).first()
    assert (restricted.target_action, restricted.target_text) == (
        None, "Da destinare nel Piano Operativo 2031")
    with pytest.raises(ValidationError, match="non esiste"):
        destination_link_targets(destination=destination, user=staff)
    nxt = OperatingPlan.objects.create(zone_plan=plan_a.zone_plan, year=2031, title="PO 2031")
    target = Action.objects.create(
        objective=Objective.objects.create(plan=nxt, number=1, title="Ob"), number=1, title="Az")
    assert destination_link_targets(destination=destination, user=staff) == 2
    restricted.refresh_from_db()
    assert restricted.target_action == target


def test_the_admin_cannot_change_an_approved_destination(client, db):
    """The seed's 2018 destination is approved (Tab. 3): staff can read its rows in the
    admin but not change, add or delete them; only reopening on the closing page can."""
    from django.urls import reverse

    from core.roles import Role

    from ..builders import make_user

    destination = SurplusDestination.objects.get(
        plan__zone_plan__ambito__slug="cremasco", plan__year=2018)
    assert destination.state == SurplusDestination.State.APPROVED
    row = destination.rows.order_by("position").first()
    staff = make_user("ufficio.lock", ambito=destination.plan.zone_plan.ambito, role=Role.STAFF)
    client.force_login(staff)
    url = reverse("admin:budget_surplusdestinationrow_change", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200  # read-only view
    assert 'name="amount"' not in page.content.decode()
    amount = row.amount
    # Refused (a redirect back to the read-only page, or 403): either way nothing changes.
    response = client.post(url, {"description": "cambiata", "amount": "1,00"})
    assert response.status_code in (302, 403)
    delete = client.post(reverse("admin:budget_surplusdestinationrow_delete", args=[row.pk]),
                         {"post": "yes"})
    assert delete.status_code in (302, 403)
    row.refresh_from_db()
    assert row.amount == amount and row.description != "cambiata"
    assert destination.rows.count() == 28
