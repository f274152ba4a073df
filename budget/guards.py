"""The frozen-plan rule, checked on every write of a budget line.

Once the Assemblea has approved a Piano Operativo its budget is an act: a line's
voce, fund and preventivo change only through a variation (budget.services),
which opens ``variation_in_progress()``. While the plan is approved the
consuntivo is still typed in (that is how the year is closed); once the plan is
closed nothing changes any more.

New lines are not checked here: the seed loader writes whole closed plans as
documents print them. Services and admin refuse new lines in a frozen plan.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.core.exceptions import ValidationError

from objectives.models import OperatingPlan

# Fields that make up the approved budget of a line.
BUDGET_FIELDS = ("action_id", "item", "note", "channel_id", "preventivo")

_variation = ContextVar("budget_variation_in_progress", default=False)


@contextmanager
def variation_in_progress():
    token = _variation.set(True)
    try:
        yield
    finally:
        _variation.reset(token)


def _plan_of_action(action_id):
    return (
        OperatingPlan.objects.filter(objectives__actions=action_id)
        .only("pk", "state", "title", "year")
        .first()
    )


def frozen_message(plan):
    return (
        f"Il {plan.title} è {plan.get_state_display().lower()}: il preventivo si modifica "
        "solo con una variazione approvata."
    )


def _differs(new, old):
    if isinstance(old, Decimal) and new is not None:
        return Decimal(str(new)) != old
    return new != old


def check_line_write(line):
    if line.pk is None:
        return
    old = type(line).objects.filter(pk=line.pk).values(*BUDGET_FIELDS, "consuntivo").first()
    if old is None:
        return
    changed = {name for name in BUDGET_FIELDS if _differs(getattr(line, name), old[name])}
    plans = {_plan_of_action(old["action_id"]), _plan_of_action(line.action_id)} - {None}
    for plan in plans:
        if not plan.is_frozen:
            continue
        if changed and not (_variation.get() and changed == {"preventivo"}):
            raise ValidationError(frozen_message(plan))
        closed = plan.state == OperatingPlan.State.CLOSED
        if closed and _differs(line.consuntivo, old["consuntivo"]):
            raise ValidationError(
                f"Il {plan.title} è chiuso: il consuntivo non si modifica più."
            )


def check_line_delete(line):
    plan = _plan_of_action(line.action_id)
    if plan is not None and plan.is_frozen:
        raise ValidationError(frozen_message(plan))
