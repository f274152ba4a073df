"""Writes on what a plan measures: indicators, ranges di valutazione, milestones.

The same rules as objectives/structure.py: keyword-only, atomic, staff of the ambito on a
plan in bozza, Italian messages keyed by field, history with a reason, tokens against lost
updates. The values measured during the year (rilevazioni, esiti) are not written here:
they belong to indicators/services.py.
"""

from django.db import transaction
from django.db.models import Max

from objectives.services import delete_with_history, save_with_history
from objectives.structure import (
    _apply,
    check_token,
    locked,
    move_by_position,
    raise_if,
    require_editable,
    required,
)

from .models import EvaluationCriterion, Indicator, Milestone, Periodicity

INDICATOR_FIELDS = ("name", "kind", "target", "periodicity", "action", "note")
RANGE_FIELDS = ("text",)
MILESTONE_FIELDS = ("title", "action", "due_date", "periodicity", "note")


def _next_position(rows):
    return (rows.aggregate(m=Max("position"))["m"] or 0) + 1


def _action_error(objective, values, errors):
    action = values.get("action")
    if action is not None and action.objective_id != objective.pk:
        errors["action"] = "L'azione scelta non è di questo obiettivo."


# ---------------------------------------------------------------- indicators


def _indicator_errors(objective, values):
    errors = {}
    required(errors, "name", values.get("name"), "Indicare il nome dell'indicatore.")
    if values.get("kind") not in Indicator.Kind.values:
        errors["kind"] = "Scegliere il tipo dell'indicatore."
    if values.get("periodicity") not in Periodicity.values:
        errors["periodicity"] = "Scegliere la periodicità della rilevazione."
    _action_error(objective, values, errors)
    return errors


@transaction.atomic
def indicator_create(*, objective, user, name, kind=Indicator.Kind.COUNT, target="",
                     periodicity=Periodicity.QUARTERLY, action=None, note=""):
    require_editable(plan=objective.plan, user=user)
    values = dict(name=name, kind=kind, target=target, periodicity=periodicity, action=action,
                  note=note)
    raise_if(_indicator_errors(objective, values))
    indicator = Indicator(objective=objective,
                          position=_next_position(objective.indicators.all()))
    _apply(indicator, values, INDICATOR_FIELDS)
    save_with_history(indicator, user=user,
                      reason=f"Nuovo indicatore dell'obiettivo {objective.number}")
    return indicator


@transaction.atomic
def indicator_update(*, indicator, user, token=None, **values):
    require_editable(plan=indicator.objective.plan, user=user)
    indicator = locked(Indicator, indicator.pk)
    check_token(indicator, INDICATOR_FIELDS, token, label=f"L'indicatore «{indicator}»")
    merged = {name: values.get(name, getattr(indicator, name)) for name in INDICATOR_FIELDS}
    raise_if(_indicator_errors(indicator.objective, merged))
    if indicator.measurements.exists() and values.get("kind", indicator.kind) != indicator.kind:
        raise_if({"kind": "L'indicatore ha già delle rilevazioni: il tipo non si cambia."})
    if _apply(indicator, values, INDICATOR_FIELDS):
        save_with_history(indicator, user=user, reason="Indicatore modificato")
    return indicator


@transaction.atomic
def indicator_move(*, indicator, user, direction):
    require_editable(plan=indicator.objective.plan, user=user)
    siblings = Indicator.objects.select_for_update().filter(
        objective_id=indicator.objective_id).order_by("position", "pk")
    return move_by_position(indicator, siblings, user=user, direction=direction,
                            reason="Ordine degli indicatori modificato")


@transaction.atomic
def indicator_delete(*, indicator, user):
    """Remove an indicator with its rilevazioni (a plan in bozza rarely has any)."""
    require_editable(plan=indicator.objective.plan, user=user)
    delete_with_history(locked(Indicator, indicator.pk), user=user, reason="Indicatore eliminato")


# ---------------------------------------------------------------- ranges di valutazione


def _range_errors(values):
    errors = {}
    required(errors, "text", values.get("text"), "Scrivere il range di valutazione.")
    return errors


@transaction.atomic
def evaluation_range_create(*, objective, user, text):
    require_editable(plan=objective.plan, user=user)
    raise_if(_range_errors({"text": text}))
    criterion = EvaluationCriterion(objective=objective, text=text.strip(),
                                    position=_next_position(objective.evaluation_ranges.all()))
    save_with_history(criterion, user=user,
                      reason=f"Nuovo range di valutazione dell'obiettivo {objective.number}")
    return criterion


@transaction.atomic
def evaluation_range_update(*, criterion, user, token=None, **values):
    require_editable(plan=criterion.objective.plan, user=user)
    criterion = locked(EvaluationCriterion, criterion.pk)
    check_token(criterion, RANGE_FIELDS, token, label="Il range di valutazione")
    raise_if(_range_errors({"text": values.get("text", criterion.text)}))
    if _apply(criterion, values, RANGE_FIELDS):
        save_with_history(criterion, user=user, reason="Range di valutazione modificato")
    return criterion


@transaction.atomic
def evaluation_range_move(*, criterion, user, direction):
    require_editable(plan=criterion.objective.plan, user=user)
    siblings = EvaluationCriterion.objects.select_for_update().filter(
        objective_id=criterion.objective_id).order_by("position", "pk")
    return move_by_position(criterion, siblings, user=user, direction=direction,
                            reason="Ordine dei range di valutazione modificato")


@transaction.atomic
def evaluation_range_delete(*, criterion, user):
    require_editable(plan=criterion.objective.plan, user=user)
    delete_with_history(locked(EvaluationCriterion, criterion.pk), user=user,
             reason="Range di valutazione eliminato")


# ---------------------------------------------------------------- milestones


def _milestone_errors(objective, values):
    errors = {}
    required(errors, "title", values.get("title"), "Indicare il traguardo da raggiungere.")
    due, periodicity = values.get("due_date"), values.get("periodicity") or ""
    if periodicity and periodicity not in Periodicity.values:
        errors["periodicity"] = "Scegliere una periodicità dall'elenco."
    elif due is None and not periodicity:
        errors["due_date"] = "Indicare una scadenza o una periodicità."
    elif due is not None and periodicity:
        errors["due_date"] = ("Indicare una scadenza oppure una periodicità, non entrambe: "
                              "lasciare vuota la scadenza per un traguardo periodico.")
    _action_error(objective, values, errors)
    return errors


@transaction.atomic
def milestone_create(*, objective, user, title, due_date=None, periodicity="", action=None,
                     note=""):
    require_editable(plan=objective.plan, user=user)
    values = dict(title=title, due_date=due_date, periodicity=periodicity or "", action=action,
                  note=note)
    raise_if(_milestone_errors(objective, values))
    milestone = Milestone(objective=objective,
                          position=_next_position(objective.milestones.all()))
    _apply(milestone, values, MILESTONE_FIELDS)
    save_with_history(milestone, user=user,
                      reason=f"Nuovo traguardo dell'obiettivo {objective.number}")
    return milestone


@transaction.atomic
def milestone_update(*, milestone, user, token=None, **values):
    require_editable(plan=milestone.objective.plan, user=user)
    milestone = locked(Milestone, milestone.pk)
    check_token(milestone, MILESTONE_FIELDS, token, label=f"Il traguardo «{milestone}»")
    if "periodicity" in values:
        values["periodicity"] = values["periodicity"] or ""
    merged = {name: values.get(name, getattr(milestone, name)) for name in MILESTONE_FIELDS}
    raise_if(_milestone_errors(milestone.objective, merged))
    if _apply(milestone, values, MILESTONE_FIELDS):
        save_with_history(milestone, user=user, reason="Traguardo modificato")
    return milestone


@transaction.atomic
def milestone_move(*, milestone, user, direction):
    require_editable(plan=milestone.objective.plan, user=user)
    siblings = Milestone.objects.select_for_update().filter(
        objective_id=milestone.objective_id).order_by("position", "pk")
    return move_by_position(milestone, siblings, user=user, direction=direction,
                            reason="Ordine dei traguardi modificato")


@transaction.atomic
def milestone_delete(*, milestone, user):
    require_editable(plan=milestone.objective.plan, user=user)
    delete_with_history(locked(Milestone, milestone.pk), user=user, reason="Traguardo eliminato")
