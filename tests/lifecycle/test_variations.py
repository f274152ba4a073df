"""After approval the preventivo changes only through a variation, and the approved figure
stays visible next to the current one."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from budget.models import BudgetLine, Variation
from budget.selectors import (
    lines_with_approved_preventivo,
    objective_preventivo_versions,
    preventivo_versions,
)
from budget.services import (
    budget_line_create,
    budget_line_set_consuntivo,
    budget_line_update,
    variation_add_line,
    variation_create,
    year_close,
)
from objectives.models import Action, Objective, OperatingPlan

from .conftest import approve_destination, enter_consuntivo, make_deliberation, plan_in_state

D = Decimal


@pytest.fixture
def variation_act(world):
    return make_deliberation(world.a.ambito, number="40", approves="variation", act=False)


def _line(plan):
    return BudgetLine.objects.filter(action__objective__plan=plan).order_by("position").first()


def test_a_variation_keeps_the_approved_figure(world, approved_a, variation_act):
    line = _line(approved_a)
    variation = variation_create(
        line=line, new_amount="25.00", reason="Maggiori ore di servizio",
        deliberation=variation_act, user=world.user("staff_a"),
    )
    line.refresh_from_db()
    assert line.preventivo == D("25.00")
    assert (variation.previous_amount, variation.new_amount) == (D("10.05"), D("25.00"))
    assert variation.subject == "Preventivo di «Voce 0» (Obiettivo 1, Azione 1)"
    assert (variation.deliberation, variation.created_by) == (variation_act,
                                                             world.user("staff_a"))
    # a second variation chains from the first
    variation_create(line=line, new_amount="20.00", reason="Rettifica",
                     deliberation=variation_act, user=world.user("staff_a"))
    assert preventivo_versions(plan=approved_a) == {
        "approvato": D("20.10"), "attuale": D("30.05"), "variazioni": D("9.95"),
    }
    annotated = lines_with_approved_preventivo(BudgetLine.objects.filter(pk=line.pk)).get()
    assert (annotated.approved_preventivo, annotated.preventivo) == (D("10.05"), D("20.00"))
    [row] = objective_preventivo_versions(plan=approved_a)
    assert (row["objective"], row["approvato"], row["attuale"]) == (
        world.a[Objective], D("20.10"), D("30.05"))
    record = line.history.first()
    assert record.history_change_reason == "Variazione: Rettifica"
    assert record.history_user == world.user("staff_a")


def test_a_new_voce_by_variation_was_zero_in_the_approved_plan(world, approved_a, variation_act):
    variation = variation_add_line(
        action=world.a[Action], item="Nuovo sportello", amount="12.00",
        reason="Apertura sportello", deliberation=variation_act, user=world.user("staff_a"),
    )
    annotated = lines_with_approved_preventivo(
        BudgetLine.objects.filter(pk=variation.line_id)).get()
    assert (annotated.approved_preventivo, annotated.preventivo) == (D("0.00"), D("12.00"))
    assert preventivo_versions(plan=approved_a)["approvato"] == D("20.10")


def test_a_draft_has_no_approved_figure_yet(plan_a):
    assert preventivo_versions(plan=plan_a)["approvato"] is None


@pytest.mark.parametrize("state", ["bozza", "chiuso"])
def test_variations_only_on_an_approved_plan(world, plan_a, variation_act, state):
    plan = plan_in_state(plan_a, world, state)
    with pytest.raises(ValidationError, match="le variazioni si registrano solo su un piano"):
        variation_create(line=_line(plan), new_amount="1.00", reason="x",
                         deliberation=variation_act, user=world.user("staff_a"))


def test_a_variation_needs_reason_and_act(world, approved_a):
    bad_act = make_deliberation(world.a.ambito, number="", approves="variation", act=False)
    with pytest.raises(ValidationError) as exc:
        variation_create(line=_line(approved_a), new_amount="1.00", reason=" ",
                         deliberation=bad_act, user=world.user("staff_a"))
    text = " ".join(exc.value.messages)
    assert "Indicare la motivazione" in text and "non ha numero" in text
    assert not Variation.objects.filter(plan=approved_a, deliberation=bad_act).exists()


@pytest.mark.parametrize("role", ["staff_b", "referent_a", "assembly_a", "auditor_a", "nobody"])
def test_only_the_ufficio_di_piano_records_variations(world, approved_a, variation_act, role):
    with pytest.raises(PermissionDenied):
        variation_create(line=_line(approved_a), new_amount="1.00", reason="x",
                         deliberation=variation_act, user=world.user(role))
    assert _line(approved_a).preventivo == D("10.05")


class TestFrozenPlan:
    """An approved plan cannot be edited outside a variation: services, model, admin."""

    def test_services_refuse_budget_edits(self, world, approved_a):
        line = _line(approved_a)
        with pytest.raises(ValidationError, match="si modifica solo con una variazione"):
            budget_line_update(line=line, user=world.user("staff_a"), preventivo="99.00")
        with pytest.raises(ValidationError, match="si modifica solo con una variazione"):
            budget_line_create(action=world.a[Action], user=world.user("staff_a"),
                               item="Nuova", preventivo="1.00")
        line.refresh_from_db()
        assert line.preventivo == D("10.05")

    def test_a_draft_is_edited_freely(self, world, plan_a):
        result = budget_line_update(line=_line(plan_a), user=world.user("staff_a"),
                                    preventivo="11.00", item="Voce zero")
        assert (result.line.preventivo, result.line.item) == (D("11.00"), "Voce zero")

    def test_the_model_refuses_whatever_the_path(self, world, approved_a):
        line = _line(approved_a)
        line.preventivo = D("99.00")
        with pytest.raises(ValidationError, match="si modifica solo con una variazione"):
            line.save()
        line.refresh_from_db()
        line.channel = None
        line.item = "Altra voce"
        with pytest.raises(ValidationError):
            line.save()
        with pytest.raises(ValidationError):
            _line(approved_a).delete()
        assert _line(approved_a).item == "Voce 0"

    def test_the_consuntivo_is_entered_while_approved_and_fixed_once_closed(self, world, plan_a):
        plan = plan_in_state(plan_a, world, "approvato")
        budget_line_set_consuntivo(line=_line(plan), amount="3.00", user=world.user("staff_a"))
        line = _line(plan)
        line.consuntivo = D("4.00")
        line.save()  # the model allows it while the plan is approved
        enter_consuntivo(plan, world)
        approve_destination(plan, world.user("staff_a"))
        year_close(plan=plan, user=world.user("staff_a"))
        line = _line(plan)
        line.consuntivo = D("5.00")
        with pytest.raises(ValidationError, match="è chiuso: non si può modificare"):
            line.save()
        with pytest.raises(ValidationError, match="solo in un piano approvato"):
            budget_line_set_consuntivo(line=line, amount="5.00", user=world.user("staff_a"))

    def _request(self, world, role="staff_a"):
        request = RequestFactory().get("/")
        request.user = world.user(role)
        return request

    def test_admin_shows_only_the_consuntivo_editable_while_approved(self, world, approved_a):
        request = self._request(world)
        line_admin = admin.site._registry[BudgetLine]
        line = _line(approved_a)
        assert line_admin.has_change_permission(request, line)
        assert not line_admin.has_delete_permission(request, line)
        readonly = set(line_admin.get_readonly_fields(request, line))
        assert {"preventivo", "item", "channel", "action", "note"} <= readonly
        assert "consuntivo" not in readonly
        action_admin = admin.site._registry[Action]
        from budget.admin import BudgetLineInline

        inline = BudgetLineInline(Action, admin.site)
        assert not inline.has_add_permission(request, world.a[Action])
        assert not inline.has_delete_permission(request, world.a[Action])
        assert "preventivo" in inline.get_readonly_fields(request, world.a[Action])
        assert not action_admin.has_delete_permission(request, world.a[Action])
        assert not admin.site._registry[Objective].has_delete_permission(
            request, world.a[Objective])
        assert not admin.site._registry[OperatingPlan].has_delete_permission(request, approved_a)

    def test_admin_locks_the_lines_of_a_closed_plan(self, world, plan_a):
        plan = plan_in_state(plan_a, world, "chiuso")
        request = self._request(world)
        line_admin = admin.site._registry[BudgetLine]
        assert not line_admin.has_change_permission(request, _line(plan))
        assert line_admin.has_view_permission(request, _line(plan))

    def test_admin_post_cannot_change_the_preventivo(self, client, world, approved_a):
        line = _line(approved_a)
        client.force_login(world.user("staff_a"))
        response = client.post(
            reverse("admin:budget_budgetline_change", args=[line.pk]),
            {"action": line.action_id, "item": "Cambiata", "note": "", "channel": "",
             "preventivo": "999,00", "consuntivo": "7,50", "source_note": "", "position": 0},
        )
        assert response.status_code == 302
        line.refresh_from_db()
        assert (line.preventivo, line.item, line.consuntivo) == (D("10.05"), "Voce 0",
                                                                 D("7.50"))

    def test_admin_refuses_a_new_line_in_an_approved_plan(self, client, world, approved_a):
        client.force_login(world.user("staff_a"))
        before = BudgetLine.objects.count()
        response = client.post(
            reverse("admin:budget_budgetline_add"),
            {"action": world.a[Action].pk, "item": "Intrusa", "note": "", "channel": "",
             "preventivo": "5,00", "consuntivo": "", "source_note": "", "position": 9},
        )
        # Refused by the freeze rule, said in Italian, nothing written.
        assert response.status_code == 302
        said = [str(m) for m in get_messages(response.wsgi_request)]
        assert f"Il Piano Operativo {approved_a.year} è approvato: si modifica solo con una " \
            "variazione." in said
        assert BudgetLine.objects.count() == before

    def test_admin_records_a_variation_through_the_service(self, client, world, approved_a,
                                                           variation_act):
        line = _line(approved_a)
        client.force_login(world.user("staff_a"))
        response = client.post(
            reverse("admin:budget_variation_add"),
            {"line": line.pk, "new_amount": "30,00", "reason": "Più ore",
             "deliberation": variation_act.pk},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        variation = Variation.objects.get(plan=approved_a, reason="Più ore")
        assert (variation.previous_amount, variation.new_amount) == (D("10.05"), D("30.00"))
        line.refresh_from_db()
        assert line.preventivo == D("30.00")
        request = self._request(world)
        variation_admin = admin.site._registry[Variation]
        assert not variation_admin.has_change_permission(request, variation)
        assert not variation_admin.has_delete_permission(request, variation)
        page = client.get(reverse("admin:budget_variation_change", args=[variation.pk]))
        assert page.status_code == 200 and "Più ore" in page.content.decode()

    def test_admin_variation_form_shows_the_services_refusal(self, client, world, approved_a,
                                                            variation_act):
        client.force_login(world.user("staff_a"))
        response = client.post(
            reverse("admin:budget_variation_add"),
            {"line": _line(approved_a).pk, "new_amount": "10,05", "reason": "Nulla",
             "deliberation": variation_act.pk},
        )
        assert response.status_code == 200
        assert "uguale a quello attuale" in response.content.decode()
        assert not Variation.objects.filter(plan=approved_a, reason="Nulla").exists()


def test_the_line_list_shows_approved_and_current_preventivo(client, world, approved_a,
                                                             variation_act):
    line = _line(approved_a)
    variation_create(line=line, new_amount="30.00", reason="Più ore",
                     deliberation=variation_act, user=world.user("staff_a"))
    client.force_login(world.user("auditor_a"))
    response = client.get(reverse("admin:budget_budgetline_changelist"))
    content = response.content.decode()
    assert "Preventivo approvato" in content
    shown = {row.pk: row.approved_preventivo for row in response.context["cl"].result_list}
    assert shown[line.pk] == D("10.05")
