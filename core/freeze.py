"""The mechanism of the freeze rule: hooks every write of a plan's rows goes through.

A model that belongs to a Piano Operativo declares on its class (see ScopedModel):

- ``plan_path``: the lookup from the model to its OperatingPlan ("" for the plan itself),
  e.g. ``"action__objective__plan"``;
- ``approved_fields``: the fields still editable on its rows while the plan is approved
  (BudgetLine: the consuntivo; Milestone: the outcome);
- ``approved_rows``: rows wholly editable while approved (True, or a condition on the
  row's values such as ``{"stage": "consuntivo"}`` for the accertate entrate);
- ``always_editable``: fields that are not the plan's content (a referente's login);
- ``freeze_allowances``: what the narrow permissions below open, per plan state:
  ``{VARIATION: {"approvato": ("preventivo", CREATE)}}``.

ScopedModel.save()/delete() and RestrictedQuerySet update/delete/bulk_create/bulk_update
call ``check_*`` here; the rule itself (plan states, messages) is installed by the domain
(objectives/freeze.py, at app start) because the ground floor imports no app.

The services that legitimately change an approved or closed plan say so, narrowly::

    with freeze.allow(freeze.VARIATION):
        line.save()

A refused write raises FrozenError (a ValidationError) before anything is written.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError

# The narrow permissions, one per service that may change a frozen plan.
VARIATION = "variazione"  # budget.services.variation_*: preventivo and new lines (approved)
APPROVAL = "approvazione"  # objectives.services.plan_approve: state and act (draft)
CLOSING = "chiusura"  # budget.services.year_close & avanzo destination (approved plan;
#                        the avanzo entrate of the next plan, whatever its state)
LOADING = "caricamento"  # seed loader, synthetic data, restore: documents as printed
REASONS = (VARIATION, APPROVAL, CLOSING, LOADING)

# Operations named in ``freeze_allowances`` beside field names.
CREATE = "+create"
DELETE = "+delete"


class FrozenError(ValidationError):
    """A write the freeze rule refuses; its messages are the Italian ones users see."""


_allowed = ContextVar("pianozona_freeze_allowed", default=frozenset())


@contextmanager
def allow(reason):
    """Open the narrow permission ``reason`` (one of REASONS) for the block."""
    if reason not in REASONS:
        raise ValueError(f"unknown freeze permission {reason!r}")
    token = _allowed.set(_allowed.get() | {reason})
    try:
        yield
    finally:
        _allowed.reset(token)


def allowed():
    """The permissions open now."""
    return _allowed.get()


_rule = None


def install(rule):
    """Called once by the domain (objectives.apps) with the object that decides."""
    global _rule
    _rule = rule


def installed_rule():
    return _rule


def belongs_to_plan(model):
    return getattr(model, "plan_path", None) is not None


def _active(model):
    return _rule is not None and belongs_to_plan(model) and LOADING not in _allowed.get()


def admin_view(model, obj):
    """What the admin may offer on rows of ``model`` in the plan of ``obj`` (the row itself,
    or an inline's parent): ``may_add()``, ``may_delete()``, ``editable_fields()`` (None:
    all), ``message()``. None when no rule applies."""
    if _rule is None or obj is None or not belongs_to_plan(model):
        return None
    if not belongs_to_plan(type(obj)):
        return None
    return _rule.admin_view(model, obj)


def check_save(instance, update_fields=None):
    if _active(type(instance)):
        _rule.check_save(instance, update_fields)


def check_delete(instance):
    if _active(type(instance)):
        _rule.check_delete(instance)


def check_queryset(queryset, operation, fields=()):
    """``operation`` "update" (with the updated field names) or "delete"."""
    if _active(queryset.model):
        _rule.check_queryset(queryset, operation, tuple(fields))


def check_bulk_create(model, objs):
    if _active(model):
        _rule.check_bulk_create(model, objs)


def check_bulk_update(model, objs, fields):
    if _active(model):
        _rule.check_bulk_update(model, objs, tuple(fields))
