"""The structure pages per role, and what a save through them does (or refuses)."""

import pytest
from django.urls import reverse

from indicators.models import Indicator, Milestone
from objectives.models import Action, Objective, OperatingPlan, Section

from .test_structure_services import REFUSAL, set_state

ROLES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a", "anonymous"]
READERS = {"superuser", "staff_a", "referent_a", "assembly_a", "auditor_a"}  # issue 18
EDITORS = {"superuser", "staff_a"}


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))


def page_urls(world):
    a = world.a
    plan, objective, action = a[OperatingPlan], a[Objective], a[Action]
    section = a[Section]
    return {
        "structure": (reverse("planning:structure", args=[plan.pk]), READERS),
        "objective": (reverse("planning:structure_objective", args=[objective.pk]), READERS),
        "add_objective": (reverse("planning:structure_add", args=["obiettivi", plan.pk]), EDITORS),
        "add_action": (reverse("planning:structure_add", args=["azioni", objective.pk]), EDITORS),
        "edit_action": (reverse("planning:structure_edit", args=["azioni", action.pk]), EDITORS),
        "delete_objective": (reverse("planning:structure_delete", args=["obiettivi",
                                                                        objective.pk]), EDITORS),
        "edit_milestone": (reverse("planning:structure_edit", args=["traguardi",
                                                                    a[Milestone].pk]), EDITORS),
        "edit_section": (reverse("planning:structure_section_edit",
                                 args=[plan.pk, section.pk]), EDITORS),
    }


@pytest.mark.parametrize("page", ["structure", "objective", "add_objective", "add_action",
                                  "edit_action", "delete_objective", "edit_milestone",
                                  "edit_section"])
@pytest.mark.parametrize("role", ROLES)
def test_get_per_role(client, world, page, role):
    login(client, world, role)
    url, allowed = page_urls(world)[page]
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accesso/" in response["Location"]
    elif role in allowed:
        assert response.status_code == 200
    elif role == "staff_b":
        assert response.status_code == 404  # another ambito's plan does not exist for them
    else:
        assert response.status_code == 403
        content = response.content.decode()
        assert "Solo l&#x27;Ufficio di Piano dell&#x27;ambito modifica" in content


def test_readers_see_no_controls(client, world):
    login(client, world, "referent_a")
    url = reverse("planning:structure", args=[world.a[OperatingPlan].pk])
    content = client.get(url).content.decode()
    assert "Obiettivo alfa" in content
    assert "Aggiungi un obiettivo" not in content and "la modifica l'Ufficio di Piano" in content


def test_plan_page_links_the_structure(client, world):
    plan = world.a[OperatingPlan]
    login(client, world, "staff_a")
    content = client.get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    assert reverse("planning:structure", args=[plan.pk]) in content


@pytest.mark.parametrize("role", ROLES)
def test_add_action_post_per_role(client, world, role):
    objective = world.a[Objective]
    login(client, world, role)
    response = client.post(reverse("planning:structure_add", args=["azioni", objective.pk]),
                           {"title": "Azione dal modulo", "description": ""})
    created = Action.objects.filter(title="Azione dal modulo")
    if role in EDITORS:
        assert response.status_code == 302
        assert created.get().number == 2
    else:
        assert response.status_code in ({"anonymous": 302, "staff_b": 404}.get(role, 403),)
        assert not created.exists()


def test_milestone_form_answers_in_italian_at_the_field(client, world):
    objective = world.a[Objective]
    login(client, world, "staff_a")
    url = reverse("planning:structure_add", args=["traguardi", objective.pk])
    response = client.post(url, {"title": "Avvio del servizio", "due_date": "",
                                 "periodicity": "", "action": "", "note": ""})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_due_date-error">Indicare una scadenza o una periodicità.' in content
    assert 'aria-invalid="true"' in content and "milestone_date_or_periodicity" not in content
    response = client.post(url, {"title": "Avvio", "due_date": "2030-06-30",
                                 "periodicity": "trimestrale", "action": "", "note": ""})
    assert "non entrambe" in response.content.decode()
    assert Milestone.objects.filter(objective=objective).count() == 1
    response = client.post(url, {"title": "Avvio", "due_date": "30/06/2030",
                                 "periodicity": "", "action": "", "note": ""})
    assert response.status_code == 302
    assert Milestone.objects.get(title="Avvio").due_date.isoformat() == "2030-06-30"


def test_edit_with_a_stale_token_is_refused(client, world):
    action = world.a[Action]
    login(client, world, "staff_a")
    url = reverse("planning:structure_edit", args=["azioni", action.pk])
    token = client.get(url).context["form"].initial["token"]
    Action.objects.filter(pk=action.pk).update(title="Cambiata da un collega")
    response = client.post(url, {"token": token, "title": "Mia", "description": ""})
    assert response.status_code == 409
    assert "qualcun altro ha modificato" in response.content.decode()
    action.refresh_from_db()
    assert action.title == "Cambiata da un collega"


def test_delete_objective_shows_what_goes_with_it(client, world):
    objective = world.a[Objective]
    login(client, world, "staff_a")
    url = reverse("planning:structure_delete", args=["obiettivi", objective.pk])
    content = client.get(url).content.decode()
    assert "2 righe di budget: preventivo 20,10 €" in content
    assert "2 righe di budget hanno degli importi" in content
    response = client.post(url, {})  # without the confirmation field: refused
    assert response.status_code == 400 and Objective.objects.filter(pk=objective.pk).exists()
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302 and not Objective.objects.filter(pk=objective.pk).exists()


def test_move_and_numbering_through_the_page(client, world):
    objective = world.a[Objective]
    login(client, world, "staff_a")
    client.post(reverse("planning:structure_add", args=["azioni", objective.pk]),
                {"title": "Seconda"})
    second = Action.objects.get(title="Seconda")
    client.post(reverse("planning:structure_move", args=["azioni", second.pk]),
                {"direction": "up"})
    assert list(objective.actions.order_by("number").values_list("title", flat=True)) == [
        "Seconda", "Azione alfa"]


@pytest.mark.parametrize("state", ["approvato", "chiuso"])
def test_frozen_plan_pages_read_only(client, world, state):
    plan, objective = world.a[OperatingPlan], world.a[Objective]
    set_state(plan, state)
    login(client, world, "staff_a")
    content = client.get(reverse("planning:structure", args=[plan.pk])).content.decode()
    assert REFUSAL[state] in content
    assert "Aggiungi un obiettivo" not in content
    response = client.get(reverse("planning:structure_add", args=["azioni", objective.pk]))
    assert response.status_code == 302
    response = client.post(reverse("planning:structure_add", args=["indicatori", objective.pk]),
                           {"name": "Nuovo", "kind": "count", "periodicity": "annuale"})
    assert REFUSAL[state] in response.content.decode()
    assert not Indicator.objects.filter(name="Nuovo").exists()


def test_section_preview_sanitises_and_saves_nothing(client, world):
    plan, section = world.a[OperatingPlan], world.a[Section]
    login(client, world, "staff_a")
    url = reverse("planning:structure_section_edit", args=[plan.pk, section.pk])
    token = client.get(url).context["form"].initial["token"]
    body = "Testo **forte**\n\n<script>alert(1)</script>\n\n[[tabella]]"
    response = client.post(url, {"token": token, "title": "Premessa", "level": "1",
                                 "body": body, "preview": "1"})
    content = response.content.decode()
    assert "<strong>forte</strong>" in content and "<script>alert(1)</script>" not in content
    assert "Qui il documento stampa la tabella" in content
    section.refresh_from_db()
    assert section.body == ""
    response = client.post(url, {"token": token, "title": "Premessa", "level": "1",
                                 "body": body})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == body


def test_section_of_another_plan_is_not_found(client, world):
    login(client, world, "staff_a")
    url = reverse("planning:structure_section_edit",
                  args=[world.a[OperatingPlan].pk, world.b[Section].pk])
    assert client.get(url).status_code == 404
