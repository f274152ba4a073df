"""RestrictedQuerySet.restrict() for every scoped model and every role."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from core.scoping import ScopedModel

from ..expectations import VIEW_A, VIEW_B, may_change_a, may_change_b

# One world for the module, a deep copy for each test (tests/conftest.py).
pytestmark = pytest.mark.shared_world

SCOPED_MODELS = sorted(
    (m for m in apps.get_models() if issubclass(m, ScopedModel)), key=lambda m: m.__name__
)
ROLES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a", "nobody"]


def test_every_domain_model_is_scoped():
    domain = [
        m for m in apps.get_models()
        if m._meta.app_label in {"governance", "objectives", "budget", "indicators"}
        and not m.__name__.startswith("Historical")
    ]
    assert domain and all(issubclass(m, ScopedModel) for m in domain)


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_view_scope(world, model, role):
    user = world.user(role)
    visible = model.objects.restrict(user, "view")
    assert visible.filter(pk=world.a[model].pk).exists() == (role in VIEW_A)
    assert visible.filter(pk=world.b[model].pk).exists() == (role in VIEW_B)


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_change_scope(world, model, role):
    user = world.user(role)
    for action in ("change", "delete"):
        writable = model.objects.restrict(user, action)
        assert writable.filter(pk=world.a[model].pk).exists() == may_change_a(role, model)
        assert writable.filter(pk=world.b[model].pk).exists() == may_change_b(role, model)


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_anonymous_sees_nothing(world, model):
    assert not model.objects.restrict(AnonymousUser(), "view").exists()


def test_referent_edits_only_own_objective(world):
    from indicators.models import Indicator
    from objectives.models import Objective

    other = Objective.objects.create(plan=world.a[Objective].plan, number=2, title="Altro")
    foreign = Indicator.objects.create(objective=other, name="Non mio")
    referent = world.user("referent_a")
    assert not Indicator.objects.restrict(referent, "change").filter(pk=foreign.pk).exists()
    assert Indicator.objects.restrict(referent, "view").filter(pk=foreign.pk).exists()


def test_unknown_action_is_an_error(world):
    from objectives.models import Objective

    with pytest.raises(ValueError):
        list(Objective.objects.restrict(world.user("staff_a"), "approve"))


def test_every_row_reaches_an_ambito():
    """No link on the way to the ambito may be empty.

    The API lets an auditor with a role in every ambito skip the scope filter
    (core.api.viewsets.sees_every_ambito): that returns the same rows only while
    every row of every scoped model belongs to some ambito.
    """
    from pianozona.api.urls import router

    served = {
        viewset.queryset.model
        for _prefix, viewset, _name in router.registry
        if getattr(viewset, "queryset", None) is not None
    }
    nullable = []
    for model in apps.get_models():
        if getattr(model, "national_when_empty", False):
            # National rows (an empty ambito) are shared reference data, never served by
            # the API, where the auditor's shortcut would matter.
            assert model not in served, model
            continue
        path = getattr(model, "scope_ambito", None)
        current = model
        for part in (path or "").split("__"):
            if not part or part == "pk":
                break
            field = current._meta.get_field(part)
            if field.null:
                nullable.append(f"{model.__name__}.{path} ({part})")
            current = field.related_model
    assert nullable == []
