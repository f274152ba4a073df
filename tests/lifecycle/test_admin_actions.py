"""The transitions in the admin: an action, a confirmation page, then the service."""

import re
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from budget.models import Surplus
from objectives.admin_transitions import CloseForm
from objectives.models import OperatingPlan

from .conftest import approve_destination, enter_consuntivo, make_deliberation, plan_in_state

CHANGELIST = reverse("admin:objectives_operatingplan_changelist")


def _post(client, plan, action, **data):
    return client.post(CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [plan.pk], **data})


# Each transition is offered only where a plan the user sees can take it (issue 18): the
# world's plans are drafts, so staff of alfa see no "Chiudi l'anno"; the superuser also sees
# the seed documents' approved plans.
@pytest.mark.parametrize("role, actions", [
    ("superuser", {"approve_plan", "close_year"}),
    ("staff_a", {"approve_plan"}),
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


def test_an_approved_plan_is_not_offered_approva_il_piano(client, world, plan_a):
    plan_in_state(plan_a, world, "approvato")
    client.force_login(world.user("staff_a"))
    form = client.get(CHANGELIST).context["action_form"]
    offered = {name for name, _ in form.fields["action"].choices}
    assert "close_year" in offered
    assert "approve_plan" not in offered
    assert "delete_selected" not in offered  # the approved plan is frozen


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
    approve_destination(plan, world.user("staff_a"))
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


def _hidden_inputs(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_the_real_confirm_form_of_the_seed_2018_closes_the_year(client, seed_2018):
    """Regression: the hidden expected_total was rendered as 869860.5000000000000 and the
    form refused it ("Assicurati che non vi siano più di 16 cifre in totale")."""
    seed = seed_2018
    seed.reopen_approved()
    client.force_login(seed.staff)
    page = _post(client, seed.plan, "close_year")
    hidden = _hidden_inputs(page.content.decode())
    assert hidden["expected_total"] == "869860.50"
    done = client.post(CHANGELIST, {**hidden, "confirm": "1", "deliberation": ""})
    assert done.status_code == 302
    seed.plan.refresh_from_db()
    assert seed.plan.state == "chiuso"
    messages = [str(m) for m in get_messages(done.wsgi_request)]
    assert messages == [
        "Piano Operativo 2018 chiuso; l'avanzo entra nel Piano Operativo 2019."]


def test_the_hidden_total_accepts_trailing_zeros_but_not_a_fraction_of_a_cent(world, plan_a):
    form = CloseForm({"expected_total": "869860.5000000000000"}, plan=plan_a)
    assert form.is_valid() and form.cleaned_data["expected_total"] == Decimal("869860.50")
    assert not CloseForm({"expected_total": "869860.505"}, plan=plan_a).is_valid()
    rendered = CloseForm(plan=plan_a, initial={"expected_total": Decimal("84.0000000")})
    assert 'value="84.00"' in str(rendered["expected_total"])


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
