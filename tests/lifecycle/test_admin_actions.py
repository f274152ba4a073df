"""The transitions in the admin: an action, a confirmation page, then the service."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from budget.models import Surplus
from objectives.models import OperatingPlan

from .conftest import enter_consuntivo, make_deliberation, plan_in_state

CHANGELIST = reverse("admin:objectives_operatingplan_changelist")


def _post(client, plan, action, **data):
    return client.post(CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [plan.pk], **data})


@pytest.mark.parametrize("role, actions", [
    ("superuser", {"approve_plan", "close_year"}),
    ("staff_a", {"approve_plan", "close_year"}),
    ("assembly_a", {"approve_plan"}),
    ("auditor_a", set()),
    ("referent_a", set()),
])
def test_who_sees_which_transition(client, world, role, actions):
    client.force_login(world.user(role))
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    form = response.context["action_form"]
    offered = set() if form is None else {name for name, _ in form.fields["action"].choices}
    assert offered & {"approve_plan", "close_year"} == actions


def test_approve_with_a_deliberation_from_the_confirmation_page(client, world, plan_a):
    deliberation = make_deliberation(world.a.ambito, number="31")
    client.force_login(world.user("assembly_a"))
    page = _post(client, plan_a, "approve_plan")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Approvazione del PO 2030 alfa" in content and "20,10 €" in content
    done = _post(client, plan_a, "approve_plan", confirm="1", deliberation=deliberation.pk,
                 shortfall_note="")
    assert done.status_code == 302
    plan_a.refresh_from_db()
    assert (plan_a.state, plan_a.approval) == ("approvato", deliberation)


def test_a_refused_approval_shows_why_and_changes_nothing(client, world, plan_a):
    no_act = make_deliberation(world.a.ambito, number="32", act=False)
    client.force_login(world.user("staff_a"))
    response = _post(client, plan_a, "approve_plan", confirm="1", deliberation=no_act.pk)
    assert response.status_code == 200
    assert "Manca l&#x27;atto allegato" in response.content.decode()
    plan_a.refresh_from_db()
    assert plan_a.state == "bozza"


def test_close_year_previews_then_confirms(client, world, plan_a):
    plan = plan_in_state(plan_a, world, "approvato")
    enter_consuntivo(plan, world)
    client.force_login(world.user("staff_a"))
    page = _post(client, plan, "close_year")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Avanzo di gestione" in content and "84,00 €" in content
    assert "Avanzo non vincolato 2030" in content
    assert OperatingPlan.objects.get(pk=plan.pk).state == "approvato"
    done = _post(client, plan, "close_year", confirm="1", expected_total="84.00",
                 deliberation="")
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.state == "chiuso"
    assert Surplus.objects.get(plan=plan).amount == Decimal("84.00")


def test_the_assemblea_cannot_close_the_year(client, world, plan_a):
    plan = plan_in_state(plan_a, world, "approvato")
    enter_consuntivo(plan, world)
    client.force_login(world.user("assembly_a"))
    response = _post(client, plan, "close_year", confirm="1", expected_total="84.00")
    plan.refresh_from_db()
    assert plan.state == "approvato"
    assert response.status_code in (200, 302)


def test_variations_are_in_the_admin(client, world):
    client.force_login(world.user("auditor_a"))
    response = client.get(reverse("admin:budget_variation_changelist"))
    assert response.status_code == 200
    assert "Variazioni di bilancio" in response.content.decode()
