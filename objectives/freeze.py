"""The freeze rule of a Piano Operativo, in one place.

- bozza: everything of the plan is edited freely (its state moves only through
  ``plan_approve``, which opens ``freeze.allow(APPROVAL)``).
- approvato: the plan is an act of the Assemblea. Nothing changes except what the year
  still records: the consuntivo of the budget lines, the accertate entrate, the quarterly
  rilevazioni and the milestones' outcomes (each model's ``approved_fields`` /
  ``approved_rows``), and what a variation or the closing writes under their narrow
  permission (``freeze_allowances``: VARIATION, CLOSING).
- chiuso: nothing changes.

Every write path reaches this module through the hooks of core.scoping (model save and
delete, queryset update/delete/bulk_create/bulk_update): pages, imports, admin forms,
inlines and actions, API and shell alike. ``frozen_problems`` answers without writing,
for the pages and the admin that want to say it before the user tries.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from core import freeze
from core.freeze import CREATE, DELETE, FrozenError

from .models import OperatingPlan

DRAFT = OperatingPlan.State.DRAFT
APPROVED = OperatingPlan.State.APPROVED
CLOSED = OperatingPlan.State.CLOSED

CHANGE = "change"


def frozen_message(plan):
    """The Italian refusal for a write into ``plan`` (a PlanInfo or an OperatingPlan)."""
    if plan.state == CLOSED:
        return f"Il Piano Operativo {plan.year} è chiuso: non si può modificare."
    return f"Il Piano Operativo {plan.year} è approvato: si modifica solo con una variazione."


def state_message(plan):
    return (
        f"Lo stato del Piano Operativo {plan.year} cambia solo con l'approvazione o la "
        "chiusura dell'anno."
    )


class PlanInfo:
    __slots__ = ("pk", "state", "year")

    def __init__(self, pk, state, year):
        self.pk, self.state, self.year = pk, state, year

    def __eq__(self, other):
        return isinstance(other, PlanInfo) and other.pk == self.pk

    def __hash__(self):
        return hash(self.pk)


def plan_models():
    """Every model that belongs to a plan (declares ``plan_path``)."""
    return [m for m in apps.get_models() if freeze.belongs_to_plan(m)]


def _prefix(model):
    return f"{model.plan_path}__" if model.plan_path else ""


def _plan_columns(model):
    prefix = _prefix(model)
    return [f"{prefix}pk", f"{prefix}state", f"{prefix}year"]


def _columns(model):
    names = ["pk", *(f.attname for f in _concrete(model)), *_plan_columns(model)]
    return list(dict.fromkeys(names))


def _info(row, model):
    pk, state, year = (row.get(c) for c in _plan_columns(model))
    return None if pk is None else PlanInfo(pk, state, year)


def _concrete(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _old_rows(model, pks):
    """Stored values (by attname) and stored plan of the rows ``pks``."""
    if not pks:
        return {}
    columns = _columns(model)
    rows = model._base_manager.filter(pk__in=pks).values(*columns)
    return {row["pk"]: row for row in rows}


class _PlanLookup:
    """The plan a not-yet-stored row points to, one query per distinct first hop."""

    def __init__(self):
        self.cache = {}

    def prefetch(self, model, objs):
        """Look up the plans of many new rows in one query (bulk writes)."""
        path = model.plan_path
        if not path:
            return
        first, _, rest = path.partition("__")
        field = model._meta.get_field(first)
        related = field.related_model
        ids = {getattr(o, field.attname) for o in objs} - {None}
        ids -= {key[1] for key in self.cache if key[0] is related}
        if not ids:
            return
        prefix = f"{rest}__" if rest else ""
        columns = [f"{prefix}pk", f"{prefix}state", f"{prefix}year"]
        found = {row["pk"]: row for row in related._base_manager.filter(pk__in=ids)
                 .values("pk", *dict.fromkeys(columns))}
        for pk in ids:
            row = found.get(pk)
            self.cache[(related, pk)] = (
                None if row is None or row[columns[0]] is None
                else PlanInfo(row[columns[0]], row[columns[1]], row[columns[2]])
            )

    def __call__(self, instance):
        model = type(instance)
        path = model.plan_path
        if path == "":
            return PlanInfo(instance.pk, instance.state, instance.year)
        first, _, rest = path.partition("__")
        field = model._meta.get_field(first)
        value = getattr(instance, field.attname)
        if value is None:
            return None
        key = (field.related_model, value)
        if key not in self.cache:
            related = field.related_model
            prefix = f"{rest}__" if rest else ""
            row = (
                related._base_manager.filter(pk=value)
                .values(f"{prefix}pk", f"{prefix}state", f"{prefix}year")
                .first()
            )
            self.cache[key] = (
                None if row is None or row[f"{prefix}pk"] is None
                else PlanInfo(row[f"{prefix}pk"], row[f"{prefix}state"], row[f"{prefix}year"])
            )
        return self.cache[key]


def _same(field, new, old):
    try:
        return field.to_python(new) == old
    except Exception:  # noqa: BLE001 - an unparseable value is a change
        return False


def _changed_fields(instance, old, update_fields=None):
    names = set(update_fields) if update_fields is not None else None
    changed = set()
    for field in _concrete(type(instance)):
        if names is not None and field.name not in names and field.attname not in names:
            continue
        if not _same(field, getattr(instance, field.attname), old[field.attname]):
            changed.add(field.name)
    return changed


def _matches(condition, values):
    return all(values.get(name) == wanted for name, wanted in condition.items())


def _row_free(model, values_list):
    """Whether the row (as it was and as it will be) is wholly editable while approved."""
    rows = model.approved_rows
    if rows is True:
        return True
    if not rows:
        return False
    return all(values is not None and _matches(rows, values) for values in values_list)


def _allowances(model, state):
    opened = set()
    for reason in freeze.allowed():
        opened |= set(model.freeze_allowances.get(reason, {}).get(state, ()))
    return opened


def frozen_problems(model, plan, *, operation, fields=(), values=()):
    """Why writing a row of ``model`` in ``plan`` is refused (empty list: allowed).

    ``operation``: CREATE, DELETE or CHANGE (``fields``: the names changed).
    ``values``: the row's values (by attname) before and/or after the write, for the
    models whose rows are editable while approved only under a condition.
    """
    if plan is None or freeze.LOADING in freeze.allowed():
        return []
    fields = set(fields) - set(model.always_editable)
    if operation == CHANGE and not fields:
        return []
    opened = _allowances(model, plan.state)
    if plan.state == DRAFT:
        if model.plan_path == "" and "state" in fields and not opened & {"state"}:
            return [state_message(plan)]
        return []
    if operation == CREATE and CREATE in opened:
        return []
    if operation == DELETE and DELETE in opened:
        return []
    if operation == CHANGE and fields <= opened:
        return []
    if plan.state == APPROVED:
        if _row_free(model, values):
            return []
        if operation == CHANGE and fields <= set(model.approved_fields) | opened:
            return []
    return [frozen_message(plan)]


def ensure_editable(model, plan, **kwargs):
    problems = frozen_problems(model, plan, **kwargs)
    if problems:
        raise FrozenError(problems)


def _attrs(instance):
    return {f.attname: getattr(instance, f.attname) for f in _concrete(type(instance))}


class PlanFreezeRule:
    """Installed into core.freeze at start (objectives.apps)."""

    def admin_view(self, model, obj):
        return AdminView(model, obj)

    def check_save(self, instance, update_fields=None):
        model = type(instance)
        lookup = _PlanLookup()
        old = _old_rows(model, [instance.pk]).get(instance.pk) if instance.pk else None
        if old is None:
            if model.plan_path == "":
                # A new plan: created as a draft, or loaded as printed.
                plan = PlanInfo(None, instance.state, instance.year)
                if instance.state != DRAFT:
                    ensure_editable(model, plan, operation=CREATE)
                return
            ensure_editable(model, lookup(instance), operation=CREATE,
                            values=[_attrs(instance)])
            return
        fields = _changed_fields(instance, old, update_fields)
        if not fields:
            return
        before = _info(old, model)
        if model.plan_path == "":
            ensure_editable(model, before, operation=CHANGE, fields=fields)
            return
        after = lookup(instance)
        for plan in {before, after} - {None}:
            ensure_editable(model, plan, operation=CHANGE, fields=fields,
                            values=[old, _attrs(instance)])

    def check_delete(self, instance):
        model = type(instance)
        old = _old_rows(model, [instance.pk]).get(instance.pk) if instance.pk else None
        if old is not None:
            ensure_editable(model, _info(old, model), operation=DELETE, values=[old])

    def check_queryset(self, queryset, operation, fields):
        model = queryset.model
        plans = {}
        for row in queryset.order_by().values(*_columns(model)):
            plan = _info(row, model)
            if plan is not None:
                plans.setdefault(plan, []).append(row)
        for plan, rows in plans.items():
            for row in rows:
                if operation == "delete":
                    ensure_editable(model, plan, operation=DELETE, values=[row])
                    continue
                after = {**row, **{_attname(model, k): v for k, v in _values(fields)}}
                changed = {k for k, v in _values(fields)
                           if not _same(model._meta.get_field(k), v, row[_attname(model, k)])}
                ensure_editable(model, plan, operation=CHANGE, fields=changed,
                                values=[row, after])

    def check_bulk_create(self, model, objs):
        lookup = _PlanLookup()
        lookup.prefetch(model, objs)
        for obj in objs:
            if model.plan_path == "":
                if obj.state != DRAFT:
                    ensure_editable(model, PlanInfo(None, obj.state, obj.year), operation=CREATE)
                continue
            ensure_editable(model, lookup(obj), operation=CREATE, values=[_attrs(obj)])

    def check_bulk_update(self, model, objs, fields):
        old_rows = _old_rows(model, [o.pk for o in objs if o.pk])
        lookup = _PlanLookup()
        lookup.prefetch(model, objs)
        for obj in objs:
            old = old_rows.get(obj.pk)
            if old is None:
                continue
            changed = _changed_fields(obj, old, fields)
            if not changed:
                continue
            plans = {_info(old, model)}
            if model.plan_path != "":
                plans.add(lookup(obj))
            for plan in plans - {None}:
                ensure_editable(model, plan, operation=CHANGE, fields=changed,
                                values=[old, _attrs(obj)])


def _values(fields):
    """``fields`` of a queryset update: a mapping name → value (expressions count as
    changes of their own)."""
    return fields.items() if isinstance(fields, dict) else ((f, object()) for f in fields)


def _attname(model, name):
    try:
        return model._meta.get_field(name).attname
    except FieldDoesNotExist:
        return name


RULE = PlanFreezeRule()


def plan_of_instance(obj):
    """The plan (PlanInfo, as stored) ``obj`` belongs to, or None."""
    model = type(obj)
    if not freeze.belongs_to_plan(model):
        return None
    if obj.pk:
        old = _old_rows(model, [obj.pk]).get(obj.pk)
        if old is not None:
            return _info(old, model) if model.plan_path else PlanInfo(
                obj.pk, old["state"], old["year"])
    return _PlanLookup()(obj)


class AdminView:
    """What the admin may offer on the rows of ``model`` in the plan of ``obj``."""

    def __init__(self, model, obj):
        self.model = model
        self.plan = None if obj is None else plan_of_instance(obj)

    @property
    def state(self):
        return None if self.plan is None else self.plan.state

    def may_add(self):
        return not frozen_problems(self.model, self.plan, operation=CREATE, values=[{}])

    def may_delete(self):
        if self.plan is not None and self.plan.state == APPROVED and self.model.approved_rows:
            return self.model.approved_rows is True
        return not frozen_problems(self.model, self.plan, operation=DELETE)

    def editable_fields(self):
        """None: all; otherwise the set of field names still editable."""
        if self.plan is None or self.plan.state == DRAFT:
            return None
        if self.plan.state == APPROVED and self.model.approved_rows is True:
            return None
        editable = set(self.model.always_editable)
        if self.plan.state == APPROVED:
            editable |= set(self.model.approved_fields)
        return editable

    def message(self):
        return "" if self.plan is None or self.plan.state == DRAFT else frozen_message(self.plan)


freeze.install(RULE)
