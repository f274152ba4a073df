"""bozza → approvato → chiuso: who may move a plan, from which state, and with what."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budget.models import BudgetLine, FundingAllocation, Surplus
from budget.services import year_close
from governance.models import Body
from objectives.models import Objective, OperatingPlan
from objectives.services import plan_approve

from .conftest import approve_destination, enter_consuntivo, make_deliberation, plan_in_state

ROLES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a", "nobody"]
APPROVERS = {"superuser", "staff_a", "assembly_a"}
CLOSERS = {"superuser", "staff_a"}
STATES = ["bozza", "approvato", "chiuso"]


def _snapshot(plan):
    plan.refresh_from_db()
    return (
        plan.state, plan.approval_id, plan.closing_id, plan.history.count(),
        Surplus.objects.filter(plan=plan).count(), FundingAllocation.objects.count(),
        OperatingPlan.objects.count(),
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_approve_by_role_and_state(world, plan_a, role, state):
    plan = plan_in_state(plan_a, world, state)
    deliberation = make_deliberation(world.a.ambito, number="7")
    before = _snapshot(plan)
    if role not in APPROVERS:
        with pytest.raises(PermissionDenied, match="Non hai i permessi per approvare"):
            plan_approve(plan=plan, deliberation=deliberation, user=world.user(role))
    elif state != "bozza":
        with pytest.raises(ValidationError, match="si approva solo un piano in bozza"):
            plan_approve(plan=plan, deliberation=deliberation, user=world.user(role))
    else:
        plan_approve(plan=plan, deliberation=deliberation, user=world.user(role))
        plan.refresh_from_db()
        assert (plan.state, plan.approval) == ("approvato", deliberation)
        record = plan.history.first()
        assert record.history_user == world.user(role)
        assert record.history_change_reason == f"Approvato con {deliberation}"
        assert plan.history.count() == before[3] + 1
        return
    assert _snapshot(plan) == before


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_close_by_role_and_state(world, plan_a, role, state):
    plan = plan_in_state(plan_a, world, state)
    if state == "approvato":
        enter_consuntivo(plan, world)
        approve_destination(plan, world.user("staff_a"))
    before = _snapshot(plan)
    if role not in CLOSERS:
        with pytest.raises(PermissionDenied, match="Non hai i permessi per chiudere l'anno"):
            year_close(plan=plan, user=world.user(role))
    elif state == "bozza":
        with pytest.raises(ValidationError, match="solo di un piano approvato"):
            year_close(plan=plan, user=world.user(role))
    elif state == "chiuso":  # closing twice changes nothing
        assert year_close(plan=plan, user=world.user(role)).already_closed
    else:
        result = year_close(plan=plan, user=world.user(role))
        plan.refresh_from_db()
        assert plan.state == "chiuso" and result.next_plan.year == 2031
        record = plan.history.first()
        assert record.history_user == world.user(role)
        assert record.history_change_reason.startswith("Anno chiuso: avanzo")
        return
    assert _snapshot(plan) == before


def test_a_plan_moves_only_forward_through_its_services(world, plan_a):
    """The admin never edits the state: the transitions are the only way."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world.user("staff_a")
    readonly = admin.site._registry[OperatingPlan].get_readonly_fields(request, plan_a)
    assert {"state", "approval", "closing"} <= set(readonly)


class TestApprovalRules:
    def _refusal(self, world, plan, deliberation, **kw):
        before = _snapshot(plan)
        with pytest.raises(ValidationError) as exc:
            plan_approve(plan=plan, deliberation=deliberation, user=world.user("staff_a"), **kw)
        assert _snapshot(plan) == before
        return " ".join(exc.value.messages)

    def test_needs_a_deliberation_of_the_assemblea_with_number_date_and_act(self, world, plan_a):
        other_body = Body.objects.create(ambito=world.a.ambito, name="CdA", kind="cda")
        bad = make_deliberation(world.a.ambito, number="", act=False, body=other_body,
                                approves="other")
        bad.date = None
        bad.save()
        text = self._refusal(world, plan_a, bad)
        assert "non è dell'Assemblea dei Sindaci" in text
        assert "non ha numero" in text and "non ha data" in text
        assert "Manca l'atto allegato" in text
        assert "non «Piano Operativo»" in text
        assert "Indicare la delibera" in self._refusal(world, plan_a, None)

    def test_the_deliberation_must_be_of_the_same_ambito(self, world, plan_a):
        foreign = make_deliberation(world.b.ambito)
        assert "non appartiene" in self._refusal(world, plan_a, foreign)

    def test_every_objective_needs_its_resources_table(self, world, plan_a, deliberation_a):
        Objective.objects.create(plan=plan_a, number=2, title="Senza risorse")
        text = self._refusal(world, plan_a, deliberation_a)
        assert "L'obiettivo 2 non ha righe di budget" in text

    def test_an_objective_at_zero_cost_needs_a_stated_reason(self, world, plan_a, deliberation_a):
        objective = Objective.objects.create(plan=plan_a, number=2, title="A costo zero")
        action = objective.actions.create(number=1, title="Rete")
        BudgetLine.objects.create(action=action, item="Coordinamento", preventivo=Decimal("0"))
        assert "L'obiettivo 2 non ha risorse" in self._refusal(world, plan_a, deliberation_a)
        plan_approve(plan=plan_a, deliberation=deliberation_a, user=world.user("staff_a"),
                     zero_budget_reasons={objective.pk: "Attività svolta dal personale"})

    def test_funding_must_cover_the_budget_or_the_shortfall_be_stated(
        self, world, plan_a, deliberation_a
    ):
        FundingAllocation.objects.filter(ambito=world.a.ambito).update(amount=Decimal("15.00"))
        text = self._refusal(world, plan_a, deliberation_a)
        # preventivo 20,10 (two lines of 10,05) against entrate of 15,00
        assert "mancano 5,10 €" in text
        plan_approve(plan=plan_a, deliberation=deliberation_a, user=world.user("assembly_a"),
                     shortfall_note="Quota aggiuntiva dei Comuni, delibera 4/2030")
        plan_a.refresh_from_db()
        assert plan_a.state == "approvato"
        assert plan_a.funding_shortfall_note.startswith("Quota aggiuntiva")

    def test_a_covered_plan_keeps_no_shortfall_note(self, world, plan_a, deliberation_a):
        plan_approve(plan=plan_a, deliberation=deliberation_a, user=world.user("staff_a"),
                     shortfall_note="non serve")
        plan_a.refresh_from_db()
        assert plan_a.funding_shortfall_note == ""

    def test_a_plan_without_objectives_is_not_approved(self, world, plan_a, deliberation_a):
        Objective.objects.filter(plan=plan_a).delete()
        assert "non ha obiettivi" in self._refusal(world, plan_a, deliberation_a)
