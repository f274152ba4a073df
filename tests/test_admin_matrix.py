"""Every admin page of every model × every role: allowed and refused, generated."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from budget.models import BudgetLine
from core.scoping import ScopedModel
from governance.models import Membership
from indicators.models import Measurement
from returns.models import SentReturn

from .expectations import ALL_ROLES, VIEW_A, may_change_a

# One world for the module, a deep copy for each test (tests/conftest.py).
pytestmark = pytest.mark.shared_world

ADMIN_MODELS = sorted(
    (m for m in admin.site._registry if issubclass(m, ScopedModel)), key=lambda m: m.__name__
)


def _login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_scoped_model_has_an_admin():
    from django.apps import apps

    scoped = {
        m for m in apps.get_models()
        if issubclass(m, ScopedModel) and not m.__name__.startswith("Historical")
    }
    assert scoped == set(ADMIN_MODELS)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_change_view_of_ambito_a_object(client, world, model, role):
    _login(client, world, role)
    obj = world.a[model]
    response = client.get(_url(model, "change", obj.pk))
    if role == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif role in VIEW_A:
        assert response.status_code == 200
    elif role == "nobody":
        assert response.status_code == 403
    else:  # staff of ambito B: the object does not exist for them
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ["staff_b", "auditor_a", "nobody"])
def test_changelist_shows_only_own_ambito(client, world, model, role):
    _login(client, world, role)
    response = client.get(_url(model, "changelist"))
    if role == "nobody":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
    mine, theirs = (world.b, world.a) if role == "staff_b" else (world.a, world.b)
    assert mine[model].pk in listed
    assert theirs[model].pk not in listed


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ["superuser", "staff_a", "staff_b", "referent_a",
                                  "assembly_a", "auditor_a"])
def test_write_permissions(world, model, role):
    request = RequestFactory().get("/")
    request.user = world.user(role)
    model_admin = admin.site._registry[model]
    obj = world.a[model]
    expected = may_change_a(role, model)
    if model is Membership:  # roles are granted by superusers only
        expected = role == "superuser"
    if model is SentReturn:  # a return that was sent is kept as sent
        expected = False
    assert model_admin.has_change_permission(request, obj) == expected
    assert model_admin.has_delete_permission(request, obj) == expected


def _line_form(line, preventivo):
    return {
        "action": line.action_id, "item": line.item, "note": line.note, "channel": "",
        "preventivo": preventivo, "consuntivo": "", "source_note": "", "position": line.position,
    }


@pytest.mark.parametrize(
    "role, allowed", [("staff_a", True), ("auditor_a", False), ("assembly_a", False),
                      ("referent_a", False), ("staff_b", False)],
)
def test_budget_line_post(client, world, role, allowed):
    line = world.a[BudgetLine]
    client.force_login(world.user(role))
    response = client.post(_url(BudgetLine, "change", line.pk), _line_form(line, "99,50"))
    line.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert line.preventivo == Decimal("99.50")
    else:
        assert response.status_code in (302, 403)
        assert line.preventivo == Decimal("10.05")


def test_budget_line_refuses_a_negative_amount(client, world):
    line = world.a[BudgetLine]
    client.force_login(world.user("staff_a"))
    response = client.post(_url(BudgetLine, "change", line.pk), _line_form(line, "-1"))
    assert response.status_code == 200
    assert "maggiore o uguale a 0" in response.content.decode()
    line.refresh_from_db()
    assert line.preventivo == Decimal("10.05")


def test_staff_cannot_move_a_line_into_another_ambito(client, world):
    line = world.a[BudgetLine]
    client.force_login(world.user("staff_a"))
    form = _line_form(line, "1")
    form["action"] = world.b[BudgetLine].action_id
    response = client.post(_url(BudgetLine, "change", line.pk), form)
    assert response.status_code == 200  # the foreign action is not a valid choice
    line.refresh_from_db()
    assert line.action_id == world.a[BudgetLine].action_id


def test_referent_records_a_measurement_of_own_objective(client, world):
    measurement = world.a[Measurement]
    client.force_login(world.user("referent_a"))
    response = client.post(
        _url(Measurement, "change", measurement.pk),
        {"indicator": measurement.indicator_id, "period_end": "31/03/2030", "state": "nd",
         "value": "", "text_value": "", "note": "dato non pervenuto"},
    )
    assert response.status_code == 302
    measurement.refresh_from_db()
    assert measurement.state == "nd" and measurement.value is None


def test_admin_is_in_italian(client, world):
    client.force_login(world.user("staff_a"))
    response = client.get(reverse("admin:index"))
    content = response.content.decode()
    assert 'lang="it"' in content
    assert "Righe di budget" in content and "Piani Operativi" in content


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_sidebar_filters_do_not_name_other_ambiti(client, world, model):
    client.force_login(world.user("staff_b"))
    content = client.get(_url(model, "changelist")).content.decode()
    assert "Ambito alfa" not in content


def test_inline_rows_are_shown_to_who_sees_the_parent(client, world):
    from objectives.models import Action

    action = world.a[Action]
    for role in ("staff_a", "auditor_a"):
        client.force_login(world.user(role))
        page = client.get(_url(Action, "change", action.pk)).content.decode()
        assert "Voce 0" in page and "Voce 1" in page, role
