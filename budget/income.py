"""Entrate per canale of a Piano Operativo: the writes of the income page.

A plan's entrate are the FundingAllocation rows of its ambito and year (as the selectors
read them, budget/selectors.py ``plan_allocations``). The Ufficio di Piano of the ambito
adds, changes and removes them, by stage:

- preventivo: while the plan is a bozza (an approved plan is an act of the Assemblea);
- consuntivo (entrate accertate): while the plan is approved, that is while its
  consuntivo is being recorded (docs/freeze.md: ``approved_rows`` of FundingAllocation);
- nothing on a closed plan;
- the carried "Avanzo gestionale N" entrate (kind avanzo with a destination row) come
  from the closing of the previous year (budget/destination.py): read-only here.

Every write keeps its history (who, when, why). A refusal is a ValidationError with the
Italian message at its field and nothing written.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core.roles import Role
from objectives.freeze import frozen_message
from objectives.models import OperatingPlan
from objectives.services import require_role, save_with_history

from .models import FundingAllocation, FundingChannel

EDITORS = (Role.STAFF,)
STAGES = FundingAllocation.Stage
KINDS = FundingAllocation.Kind
FIELDS = ("kind", "label", "group", "channel", "restricted", "amount", "note")


def is_carried(allocation):
    """An "Avanzo gestionale N" entrata written by the closing of the previous year."""
    return allocation.kind == KINDS.SURPLUS and allocation.destination_row_id is not None


def stage_problem(*, plan, stage):
    """Why entrate of ``stage`` cannot change in ``plan`` now (None: they can)."""
    if plan.state == OperatingPlan.State.CLOSED:
        return frozen_message(plan)
    if stage == STAGES.PLANNED and plan.state != OperatingPlan.State.DRAFT:
        return (
            f"Il Piano Operativo {plan.year} è approvato: le entrate a preventivo non si "
            "modificano più; si registrano le entrate accertate."
        )
    if stage == STAGES.ACTUAL and plan.state != OperatingPlan.State.APPROVED:
        return (
            f"Le entrate accertate del {plan.year} si registrano quando il Piano Operativo è "
            "approvato."
        )
    return None


def allocation_problem(*, plan, allocation):
    """Why ``allocation`` cannot be changed or removed (None: it can)."""
    if (allocation.ambito_id, allocation.year) != (plan.zone_plan.ambito_id, plan.year):
        return f"L'entrata non è del Piano Operativo {plan.year}."
    if is_carried(allocation):
        return (
            f"«{allocation.label}» viene dalla chiusura dell'anno {plan.year - 1} "
            "(destinazione dell'avanzo): qui non si modifica."
        )
    return stage_problem(plan=plan, stage=allocation.stage)


def _check(*, plan, user, doing):
    require_role(user=user, ambito=plan.zone_plan.ambito, roles=EDITORS, doing=doing)


def _validate(*, plan, values):
    errors = {}
    label = (values.get("label") or "").strip()
    if not label:
        errors["label"] = ["Indicare la voce dell'entrata."]
    values["label"] = label
    values["group"] = (values.get("group") or "").strip()
    values["note"] = (values.get("note") or "").strip()
    amount = values.get("amount")
    if amount is None:
        errors["amount"] = ["Indicare l'importo."]
    elif not isinstance(amount, Decimal):
        errors["amount"] = ["L'importo deve essere un numero."]
    elif amount < 0:
        errors["amount"] = ["L'importo non può essere negativo."]
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = ["L'importo ha al massimo due decimali."]
    if values.get("kind") not in KINDS.values:
        errors["kind"] = ["Scegliere il tipo di entrata."]
    channel = values.get("channel")
    if channel is not None and (
        not isinstance(channel, FundingChannel) or channel.ambito_id != plan.zone_plan.ambito_id
    ):
        errors["channel"] = ["Il canale non è dell'ambito del piano."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def allocation_create(*, plan, user, stage, kind=KINDS.INCOME, label, amount, channel=None,
                      group="", restricted=False, note="", reason=""):
    """A new entrata of ``plan`` at ``stage`` (preventivo in bozza, consuntivo approved)."""
    _check(plan=plan, user=user, doing="registrare le entrate")
    if stage not in STAGES.values:
        raise ValidationError({"stage": ["Scegliere la fase: preventivo o accertata."]})
    problem = stage_problem(plan=plan, stage=stage)
    if problem:
        raise ValidationError(problem)
    values = {"kind": kind, "label": label, "amount": amount, "channel": channel,
              "group": group, "restricted": bool(restricted), "note": note}
    _validate(plan=plan, values=values)
    ambito_id = plan.zone_plan.ambito_id
    top = FundingAllocation.objects.filter(
        ambito_id=ambito_id, year=plan.year, stage=stage
    ).aggregate(top=Max("position"))["top"]
    allocation = FundingAllocation(
        ambito_id=ambito_id, zone_plan=plan.zone_plan, operating_plan=plan, year=plan.year,
        stage=stage, position=(top or 0) + 1, **values,
    )
    save_with_history(allocation, user=user,
                      reason=reason or f"Entrata registrata: {allocation.label}")
    return allocation


@transaction.atomic
def allocation_update(*, allocation, plan, user, reason="", **changes):
    """Change the fields ``changes`` (of FIELDS) of an entrata of ``plan``."""
    _check(plan=plan, user=user, doing="modificare le entrate")
    allocation = FundingAllocation.objects.select_for_update().get(pk=allocation.pk)
    problem = allocation_problem(plan=plan, allocation=allocation)
    if problem:
        raise ValidationError(problem)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"fields not editable here: {sorted(unknown)}")
    values = {name: getattr(allocation, name) for name in FIELDS} | changes
    values["restricted"] = bool(values["restricted"])
    _validate(plan=plan, values=values)
    changed = [name for name in FIELDS if getattr(allocation, name) != values[name]]
    if not changed:
        return allocation
    for name in changed:
        setattr(allocation, name, values[name])
    save_with_history(allocation, user=user,
                      reason=reason or f"Entrata modificata: {allocation.label}")
    return allocation


@transaction.atomic
def allocation_delete(*, allocation, plan, user, reason=""):
    """Remove an entrata of ``plan`` (its history keeps it)."""
    _check(plan=plan, user=user, doing="eliminare le entrate")
    allocation = FundingAllocation.objects.select_for_update().get(pk=allocation.pk)
    problem = allocation_problem(plan=plan, allocation=allocation)
    if problem:
        raise ValidationError(problem)
    if user is not None:
        allocation._history_user = user
    allocation._change_reason = reason or f"Entrata eliminata: {allocation.label}"
    allocation.delete()
