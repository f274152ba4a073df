"""The freeze rule (core/freeze.py, objectives/freeze.py), generated: every model that belongs
to a plan × every write path × every plan state.

bozza: the write goes through. approvato: refused with "… è approvato: si modifica solo con
una variazione." unless the model keeps the field (``approved_fields``) or the row
(``approved_rows``) editable. chiuso: refused with "… è chiuso: non si può modificare.".
A refused write leaves the data as it was.
"""

import copy
from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import models
from django.urls import NoReverseMatch, reverse

from core import freeze
from core.freeze import FrozenError
from core.roles import Role
from core.scoping import ScopedModel
from objectives.freeze import plan_models
from objectives.models import OperatingPlan

from ..builders import build_ambito, make_user, set_plan_state

STATES = ["bozza", "approvato", "chiuso"]
PLAN_MODELS = sorted(plan_models(), key=lambda m: m._meta.label)
LABELS = [m._meta.label for m in PLAN_MODELS]


def _reaches_plan(model, depth=0, seen=()):
    if model is OperatingPlan:
        return True
    if depth > 4 or model in seen:
        return False
    return any(
        _reaches_plan(f.related_model, depth + 1, (*seen, model))
        for f in model._meta.concrete_fields
        if f.is_relation and f.many_to_one or f.one_to_one and f.concrete
    )


def test_every_model_that_reaches_a_plan_declares_its_path():
    """A new model with a foreign-key path to OperatingPlan must say how it freezes, or say
    (``freezes_with_plan = False``) that it does not."""
    from django.apps import apps

    reaching = {
        m._meta.label for m in apps.get_models()
        if issubclass(m, ScopedModel) and _reaches_plan(m)
        and getattr(m, "freezes_with_plan", True)
    }
    assert reaching - set(LABELS) == set(), "declare plan_path on these models"
    assert set(LABELS) <= reaching


@pytest.mark.parametrize("label", LABELS)
def test_the_declared_path_leads_to_the_plan(label):
    model = next(m for m in PLAN_MODELS if m._meta.label == label)
    current = model
    for part in filter(None, model.plan_path.split("__")):
        current = current._meta.get_field(part).related_model
    assert current is OperatingPlan
    names = {f.name for f in model._meta.fields}
    assert set(model.approved_fields) | set(model.always_editable) <= names


# --- The data: one row of every plan model, in a plan put in each state ---------------------


def _extra_rows(data):
    """Rows of plan models the builder does not make (yet): one each, or the test says so."""
    missing = [m._meta.label for m in PLAN_MODELS if m not in data.objects]
    assert not missing, f"tests/builders.py build_ambito makes no row of {missing}"


@pytest.fixture(scope="module")
def shared_rows(django_db_setup, django_db_blocker):
    """Built once for the module; each test moves the plan to its state inside its own
    transaction, rolled back after it."""
    from governance.models import Ambito, Deliberation
    from returns.models import SentReturn

    with django_db_blocker.unblock():
        data = build_ambito("fz")
        _extra_rows(data)
        section = data.objects[next(m for m in PLAN_MODELS if m.__name__ == "Section")]
        section.objective = data[next(m for m in PLAN_MODELS if m.__name__ == "Objective")]
        section.save()
        table = data.objects[next(m for m in PLAN_MODELS if m.__name__ == "DataTable")]
        table.section = section
        table.save()
    yield data
    with django_db_blocker.unblock(), freeze.allow(freeze.LOADING):
        OperatingPlan.objects.filter(zone_plan__ambito=data.ambito).delete()
        Deliberation.objects.filter(ambito=data.ambito).delete()
        # A sent return protects its ambito (it is never to vanish with it).
        SentReturn.objects.filter(ambito=data.ambito).delete()
        Ambito.objects.filter(pk=data.ambito.pk).delete()


@pytest.fixture
def world_in(db, shared_rows):
    def build(state):
        set_plan_state(shared_rows[OperatingPlan], state)
        return shared_rows
    return build


def _model(label):
    return next(m for m in PLAN_MODELS if m._meta.label == label)


def _frozen_field(model):
    """A field of ``model`` that stays frozen while approved (a text, else a number)."""
    keep = set(model.approved_fields) | set(model.always_editable) | {"state"}
    for kinds in ((models.CharField, models.TextField), (models.PositiveIntegerField,)):
        for f in model._meta.concrete_fields:
            if isinstance(f, kinds) and f.editable and not f.primary_key and f.name not in keep \
                    and not f.choices and not f.unique:
                return f
    raise AssertionError(f"{model.__name__}: no field to try")


def _new_value(field, old):
    if isinstance(field, models.PositiveIntegerField):
        return (old or 0) + 7
    return f"{old or ''} modificato"[: field.max_length or 500]


def _snapshot(model, pk):
    return model._base_manager.filter(pk=pk).values().first()


def _expected(model, state, *, fields=None, row=None):
    """The message the rule must give, or None when the write must go through."""
    if state == "bozza":
        return None
    plan = OperatingPlan.objects.get(title="PO 2030 fz")
    if state == "chiuso":
        return f"Il Piano Operativo {plan.year} è chiuso: non si può modificare."
    rows = model.approved_rows
    if rows is True or (rows and row is not None and all(
            row.get(k) == v for k, v in rows.items())):
        return None
    if fields is not None and set(fields) <= set(model.approved_fields):
        return None
    return f"Il Piano Operativo {plan.year} è approvato: si modifica solo con una variazione."


def _attempt(write, expected, model, pk):
    before = _snapshot(model, pk) if pk else None
    if expected is None:
        write()
        return
    with pytest.raises(FrozenError) as refused:
        write()
    assert expected in refused.value.messages
    if pk:
        assert _snapshot(model, pk) == before


def _clone(obj):
    """A new row like ``obj`` (unique numbers and keys moved aside)."""
    new = copy.copy(obj)
    new.pk = None
    new.id = None
    new._state = type(obj)()._state
    for f in type(obj)._meta.concrete_fields:
        if f.name == "number" and isinstance(f, models.PositiveSmallIntegerField):
            setattr(new, f.attname, getattr(obj, f.attname) + 50)
        elif f.name == "key":
            setattr(new, f.attname, getattr(obj, f.attname) + "-copia")
        elif f.name == "period_end":
            setattr(new, f.attname, date(2030, 6, 30))
        elif f.name == "year" and type(obj) is OperatingPlan:
            setattr(new, f.attname, obj.year + 1)
    return new


WRITES = ["save", "delete", "update", "queryset_delete", "create", "bulk_create", "bulk_update"]


def _applies(label, write):
    """Cells that have no meaning are not generated (rather than skipped)."""
    if label == OperatingPlan._meta.label and write in ("delete", "queryset_delete"):
        return False  # a plan goes only with its zone plan (PROTECT), never on its own
    # One destination per plan (a OneToOne): its creation is tried through its rows.
    return not (label.endswith(".SurplusDestination") and write in ("create", "bulk_create"))


MODEL_CELLS = [
    (label, write, state)
    for label in LABELS for write in WRITES for state in STATES if _applies(label, write)
]


@pytest.mark.parametrize(("label", "write", "state"), MODEL_CELLS)
def test_model_and_queryset_writes(world_in, label, write, state):
    data = world_in(state)
    model = _model(label)
    obj = model._base_manager.get(pk=data.objects[model].pk)
    manager = model._default_manager
    field = _frozen_field(model)
    value = _new_value(field, getattr(obj, field.attname))
    row = _snapshot(model, obj.pk)
    if write in ("save", "update", "bulk_update"):
        expected = _expected(model, state, fields={field.name}, row=row)

        def do():
            if write == "save":
                setattr(obj, field.attname, value)
                obj.save()
            elif write == "update":
                manager.filter(pk=obj.pk).update(**{field.attname: value})
            else:
                setattr(obj, field.attname, value)
                manager.bulk_update([obj], [field.name])
        _attempt(do, expected, model, obj.pk)
        return
    if write in ("delete", "queryset_delete"):
        expected = _expected(model, state, row=row)
        do = obj.delete if write == "delete" else manager.filter(pk=obj.pk).delete
        _attempt(do, expected, model, obj.pk)
        if expected is None:
            assert not model._base_manager.filter(pk=obj.pk).exists()
        return
    new = _clone(obj)
    if model is OperatingPlan:
        # A new plan is created in bozza; in another state only by a loader.
        new.state = state
        expected = None if state == "bozza" else _expected(model, state).replace(
            "2030", "2031")
    else:
        expected = _expected(model, state, row=row)
    count = model._base_manager.count()
    do = new.save if write == "create" else (lambda: manager.bulk_create([new]))
    _attempt(do, expected, model, None)
    assert model._base_manager.count() == count + (1 if expected is None else 0)


@pytest.mark.parametrize("label", [m._meta.label for m in PLAN_MODELS if m.approved_fields])
def test_approved_fields_stay_editable_while_approved_only(world_in, label):
    data = world_in("approvato")
    model = _model(label)
    obj = model._base_manager.get(pk=data.objects[model].pk)
    name = model.approved_fields[0]
    field = model._meta.get_field(name)
    value = Decimal("3.00") if isinstance(field, models.DecimalField) else (
        field.choices[0][0] if field.choices else "annotato")
    setattr(obj, field.attname, value)
    obj.save()
    assert getattr(model._base_manager.get(pk=obj.pk), field.attname) == value
    set_plan_state(data[OperatingPlan], "chiuso")
    obj = model._base_manager.get(pk=obj.pk)
    setattr(obj, field.attname, None if field.null else "")
    with pytest.raises(FrozenError, match="è chiuso: non si può modificare"):
        obj.save()


def test_the_narrow_permissions_open_only_what_they_name(world_in):
    from budget.models import BudgetLine

    data = world_in("approvato")
    line = BudgetLine.objects.get(pk=data[BudgetLine].pk)
    line.preventivo = Decimal("99.00")
    with freeze.allow(freeze.CLOSING), pytest.raises(FrozenError):
        line.save()  # the closing does not change a preventivo
    with freeze.allow(freeze.VARIATION):
        line.save()
        line.item = "Altra voce"
        with pytest.raises(FrozenError):
            line.save()  # a variation changes the preventivo, not the voce
    with pytest.raises(ValueError), freeze.allow("qualunque"):
        pass


# --- The admin: change form, inline, delete view, delete action ---------------------------


def _admin_url(model, name, *args):
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}",
                       args=args)
    except NoReverseMatch:
        return None


ADMIN_LABELS = [m._meta.label for m in PLAN_MODELS if m in admin.site._registry]


def _said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("state", ["approvato", "chiuso"])
@pytest.mark.parametrize("path", ["change", "delete", "delete_selected"])
@pytest.mark.parametrize("label", ADMIN_LABELS)
def test_admin_refuses_frozen_writes_in_italian(client, world_in, label, path, state):
    data = world_in(state)
    model = _model(label)
    obj = data.objects[model]
    staff = make_user("staff_fz", ambito=data.ambito, role=Role.STAFF)
    client.force_login(staff)
    row = _snapshot(model, obj.pk)
    if path == "change":
        expected = _expected(model, state, fields={"x"}, row=row)
        if expected is None:
            # The row is still the year's to record: its change page opens for editing.
            page = client.get(_admin_url(model, "change", obj.pk))
            assert page.status_code == 200
            assert "non si può modificare" not in page.content.decode()
            return
        field = _frozen_field(model)
        response = client.post(_admin_url(model, "change", obj.pk),
                               {field.name: "modificato dall'admin"})
        if model.approved_fields or model.always_editable:
            # The form stays open for the fields still editable; the others are read-only
            # and what the POST sends for them is ignored.
            assert _snapshot(model, obj.pk)[field.attname] == row[field.attname]
            return
    elif path == "delete":
        expected = _expected(model, state, row=row)
        response = client.post(_admin_url(model, "delete", obj.pk), {"post": "yes"})
    else:
        expected = _expected(model, state, row=row)
        response = client.post(_admin_url(model, "changelist"), {
            "action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    if expected is None:
        # Rows the year still records (a measurement of an approved plan) may be removed.
        assert response.status_code == 302, response.status_code
        assert not model._base_manager.filter(pk=obj.pk).exists()
        return
    assert response.status_code in (302, 200), response.status_code
    assert expected in _said(response)
    assert _snapshot(model, obj.pk) == row


def test_admin_inline_of_a_closed_plan_changes_nothing(client, world_in):
    from objectives.models import Objective

    data = world_in("chiuso")
    plan, objective = data[OperatingPlan], data[Objective]
    client.force_login(make_user("staff_fz", ambito=data.ambito, role=Role.STAFF))
    url = _admin_url(OperatingPlan, "change", plan.pk)
    page = client.get(url)
    assert "è chiuso: non si può modificare" in " ".join(_said(page))
    response = client.post(url, {
        "title": "Titolo cambiato", "year": plan.year + 3,
        "objectives-TOTAL_FORMS": "1", "objectives-INITIAL_FORMS": "1",
        "objectives-0-id": objective.pk, "objectives-0-plan": plan.pk,
        "objectives-0-number": objective.number, "objectives-0-title": "Obiettivo cambiato",
    })
    assert "Il Piano Operativo 2030 è chiuso: non si può modificare." in _said(response)
    plan.refresh_from_db()
    objective.refresh_from_db()
    assert (plan.title, plan.year, objective.title) == ("PO 2030 fz", 2030, "Obiettivo fz")


def test_the_seed_po_2018_is_closed_for_its_own_office(client, db):
    """The issue's report: as ufficio.cremasco the closed PO 2018 could be renamed."""
    from objectives.models import Objective

    plan = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)
    assert plan.state == "chiuso"
    objective = Objective.objects.filter(plan=plan).order_by("number").first()
    user = make_user("ufficio.cremasco.fz", ambito=plan.zone_plan.ambito,
                     role=Role.STAFF)
    client.force_login(user)
    response = client.post(_admin_url(OperatingPlan, "change", plan.pk),
                           {"title": "Rinominato", "year": 2019})
    assert "Il Piano Operativo 2018 è chiuso: non si può modificare." in _said(response)
    response = client.post(_admin_url(Objective, "change", objective.pk),
                           {"title": "Rinominato", "number": objective.number})
    assert "Il Piano Operativo 2018 è chiuso: non si può modificare." in _said(response)
    plan.refresh_from_db()
    assert (plan.title, plan.year) != ("Rinominato", 2019) and plan.year == 2018
    assert Objective.objects.get(pk=objective.pk).title == objective.title
