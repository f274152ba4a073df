"""Writes on the structure of a Piano Operativo: objectives, actions, referenti, sections.

Every service is keyword-only and atomic, checks who asks (PermissionDenied: only the
Ufficio di Piano of the ambito shapes a plan) and that the plan is still a bozza
(ValidationError), validates the data with Italian messages keyed by field, and leaves a
history record with the user and the reason. A refusal changes nothing.

Edits carry the token of the row as the page showed it (core/concurrency.py): a row a
colleague changed meanwhile is not overwritten (ConflictError).

Numbering: objectives are numbered 1…n in the plan. Actions follow
``OperatingPlan.action_numbering``: across the plan (objective order, then the actions'
order inside each objective) or 1…n inside each objective. Numbers are the order: every
insert, removal and move renumbers the rows after it, so there are never gaps or
duplicates.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils.text import slugify
from django.utils.translation import ngettext

from core.concurrency import NEW_ROW, Conflict, ConflictError, last_change, row_token
from core.roles import Role
from governance.models import Membership, Organisation, SourceDocument

from .freeze import frozen_message
from .models import Action, Objective, OperatingPlan, Referent, Section
from .services import delete_with_history, require_role, save_with_history

EDITORS = (Role.STAFF,)
UP, DOWN = "up", "down"

OBJECTIVE_FIELDS = ("title", "short_title", "code", "description", "triennial_goal", "timing",
                    "area")
ACTION_FIELDS = ("title", "description")
REFERENT_FIELDS = ("name", "organisation", "organisation_label", "user")
SECTION_FIELDS = ("title", "level", "body")


# ---------------------------------------------------------------- shared rules


def plan_of(obj):
    """The OperatingPlan an object of the structure belongs to."""
    for path in ("plan", "objective.plan"):
        target = obj
        try:
            for attr in path.split("."):
                target = getattr(target, attr)
        except AttributeError:
            continue
        if isinstance(target, OperatingPlan):
            return target
    raise TypeError(f"{obj!r} does not belong to a plan")


def structure_problem(plan):
    """Why the structure of ``plan`` cannot change now (empty: it can).

    The plan's freeze rule (objectives/freeze.py) refuses every write into a closed plan
    and lets an approved one change only by variation and consuntivo; the structure is
    not among those, so it changes in bozza only. The message is the freeze rule's.
    """
    if plan.state == OperatingPlan.State.DRAFT:
        return ""
    if plan.state == OperatingPlan.State.CLOSED:
        return frozen_message(plan)
    return (
        f"Il {plan.title} è approvato: obiettivi, azioni, referenti, indicatori, traguardi e "
        "testi si modificano solo nel piano in bozza (il budget, con una variazione)."
    )


def require_editable(*, plan, user):
    """Staff of the plan's ambito, on a plan in bozza (re-read and locked)."""
    plan = (OperatingPlan.objects.select_for_update(of=("self",))
            .select_related("zone_plan__ambito").get(pk=plan.pk))
    require_role(user=user, ambito=plan.zone_plan.ambito, roles=EDITORS,
                 doing="modificare la struttura del piano")
    problem = structure_problem(plan)
    if problem:
        raise ValidationError(problem)
    return plan


def may_edit_structure(*, plan, user):
    from .services import user_holds

    return user_holds(user, plan.zone_plan.ambito, *EDITORS) and not structure_problem(plan)


def token_of(obj, fields):
    """The token a page carries for ``obj`` as it showed it (NEW_ROW for none)."""
    if obj is None or obj.pk is None:
        return NEW_ROW
    return row_token([getattr(obj, obj._meta.get_field(name).attname) for name in fields])


def check_token(obj, fields, token, *, label):
    """Refuse to overwrite ``obj`` if it changed since the page showed it."""
    if token is None:  # callers without a page (commands, tests of the rules)
        return
    current = token_of(obj, fields)
    if current != token:
        who, when, changes = last_change(obj, fields)
        raise ConflictError([Conflict(key=obj.pk, label=label, who=who, when=when,
                                      changes=changes, token=current)])


def locked(model, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


def clean_text(value):
    return (value or "").strip()


def required(errors, field, value, message):
    if not clean_text(value):
        errors[field] = message


def raise_if(errors):
    if errors:
        raise ValidationError(errors)


def _apply(obj, values, fields):
    """Set ``values`` on ``obj``; whether anything changed."""
    changed = False
    for name in fields:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip()
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _renumber(rows, start=1, *, user=None, reason=""):
    """Give ``rows`` (in their new order) consecutive numbers from ``start``.

    A ``None`` in ``rows`` is the slot of a row about to be created: it takes its number.
    Rows whose number changes first step aside (out of the unique range, without history)
    so that two rows never hold the same number at the same time; each then gets its
    final number with a history record.
    """
    moving = [(row, start + i) for i, row in enumerate(rows)
              if row is not None and row.number != start + i]
    if not moving:
        return
    model = type(moving[0][0])
    for offset, (row, _) in enumerate(moving):
        model.objects.filter(pk=row.pk).update(number=30000 + offset)
    for row, number in moving:
        row.number = number
        save_with_history(row, user=user, reason=reason)


def _slot(rows):
    return next(i for i, row in enumerate(rows) if row is None)


def _swap_index(items, obj, direction):
    index = next(i for i, item in enumerate(items) if item.pk == obj.pk)
    other = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN):
        raise ValidationError("Direzione non valida: su o giù.")
    if not 0 <= other < len(items):
        return None
    items[index], items[other] = items[other], items[index]
    return items


# ---------------------------------------------------------------- objectives


def _objectives(plan):
    return list(Objective.objects.select_for_update().filter(plan=plan).order_by("number", "pk"))


def _objective_errors(plan, values):
    errors = {}
    required(errors, "title", values.get("title"), "Indicare il titolo dell'obiettivo.")
    area = values.get("area")
    if area is not None and area.zone_plan_id != plan.zone_plan_id:
        errors["area"] = "L'area scelta non è del Piano di Zona di questo piano."
    return errors


@transaction.atomic
def objective_create(*, plan, user, title, short_title="", code="", description="",
                     triennial_goal="", timing="", area=None, position=None):
    """A new objective, last or at ``position`` (1-based) with the following ones moved on."""
    plan = require_editable(plan=plan, user=user)
    values = dict(title=title, short_title=short_title, code=code, description=description,
                  triennial_goal=triennial_goal, timing=timing, area=area)
    raise_if(_objective_errors(plan, values))
    existing = _objectives(plan)
    index = len(existing) if position is None else max(0, min(position - 1, len(existing)))
    order = existing[:index] + [None] + existing[index:]
    reason = f"Nuovo obiettivo nel {plan.title}"
    _renumber(order, user=user, reason=reason)
    objective = Objective(plan=plan, number=index + 1)
    _apply(objective, values, OBJECTIVE_FIELDS)
    save_with_history(objective, user=user, reason=reason)
    _renumber_actions(plan, user=user, reason=reason)
    return objective


@transaction.atomic
def objective_update(*, objective, user, token=None, **values):
    plan = require_editable(plan=objective.plan, user=user)
    objective = locked(Objective, objective.pk)
    check_token(objective, OBJECTIVE_FIELDS, token, label=f"L'obiettivo {objective.number}")
    merged = {name: values.get(name, getattr(objective, name)) for name in OBJECTIVE_FIELDS}
    raise_if(_objective_errors(plan, merged))
    if _apply(objective, values, OBJECTIVE_FIELDS):
        save_with_history(objective, user=user, reason="Obiettivo modificato")
    return objective


@transaction.atomic
def objective_move(*, objective, user, direction):
    plan = require_editable(plan=objective.plan, user=user)
    items = _swap_index(_objectives(plan), objective, direction)
    if items is None:
        return False
    reason = "Ordine degli obiettivi modificato"
    _renumber(items, user=user, reason=reason)
    _renumber_actions(plan, user=user, reason=reason)
    return True


def delete_impact(*, objective=None, action=None):
    """What goes with an objective or an action: counts and the budget's amounts."""
    from budget.models import BudgetLine
    from indicators.models import Indicator, Milestone

    if action is not None:
        lines = BudgetLine.objects.filter(action=action)
        impact = {"actions": 0, "referents": 0,
                  "indicators": Indicator.objects.filter(action=action).count(),
                  "milestones": Milestone.objects.filter(action=action).count()}
    else:
        lines = BudgetLine.objects.filter(action__objective=objective)
        impact = {"actions": objective.actions.count(),
                  "referents": objective.referents.count(),
                  "indicators": objective.indicators.count(),
                  "milestones": objective.milestones.count()}
    totals = lines.aggregate(preventivo=Sum("preventivo"), consuntivo=Sum("consuntivo"))
    amounts = lines.filter(~Q(preventivo=0) | Q(consuntivo__isnull=False) & ~Q(consuntivo=0))
    impact.update(lines=lines.count(), lines_with_amounts=amounts.count(),
                  preventivo=totals["preventivo"] or 0, consuntivo=totals["consuntivo"] or 0)
    return impact


def _require_confirmation(impact, confirmed, what):
    if impact["lines_with_amounts"] and not confirmed:
        raise ValidationError(
            ngettext(
                "%(what)s ha %(n)d riga di budget con importi: "
                "confermare l'eliminazione insieme alle sue righe.",
                "%(what)s ha %(n)d righe di budget con importi: "
                "confermare l'eliminazione insieme alle sue righe.",
                impact["lines_with_amounts"],
            ) % {"what": what, "n": impact["lines_with_amounts"]}
        )


@transaction.atomic
def objective_delete(*, objective, user, confirmed=False):
    """Remove an objective with its actions, budget lines, referenti, indicators, milestones.

    Budget lines with amounts are removed only when ``confirmed``.
    """
    plan = require_editable(plan=objective.plan, user=user)
    objective = locked(Objective, objective.pk)
    _require_confirmation(delete_impact(objective=objective), confirmed,
                          f"L'obiettivo {objective.number}")
    delete_with_history(objective, user=user, reason=f"Obiettivo {objective.number} eliminato")
    reason = f"Rinumerato dopo l'eliminazione dell'obiettivo {objective.number}"
    _renumber(_objectives(plan), user=user, reason=reason)
    _renumber_actions(plan, user=user, reason=reason)


# ---------------------------------------------------------------- actions


def _plan_actions(plan):
    """Every action of the plan in its canonical order (objective, then number)."""
    return list(
        Action.objects.select_for_update(of=("self",)).filter(objective__plan=plan)
        .select_related("objective").order_by("objective__number", "number", "pk")
    )


def _renumber_actions(plan, *, user, reason, order=None):
    """Number the plan's actions as the plan says, in ``order`` (default: canonical)."""
    order = _plan_actions(plan) if order is None else order
    if plan.action_numbering == OperatingPlan.Numbering.PLAN:
        # One numbering across the plan: rows step aside plan-wide, then take their place.
        _renumber(order, user=user, reason=reason)
        return
    by_objective = {}
    for action in order:
        by_objective.setdefault(action.objective_id, []).append(action)
    for rows in by_objective.values():
        _renumber(rows, user=user, reason=reason)


def _action_errors(values):
    errors = {}
    required(errors, "title", values.get("title"), "Indicare il titolo dell'azione.")
    return errors


@transaction.atomic
def action_create(*, objective, user, title, description=""):
    """A new action, last of its objective; the numbers after it move on."""
    plan = require_editable(plan=objective.plan, user=user)
    values = dict(title=title, description=description)
    raise_if(_action_errors(values))
    reason = f"Nuova azione dell'obiettivo {objective.number}"
    actions = _plan_actions(plan)
    if plan.action_numbering == OperatingPlan.Numbering.PLAN:
        # After the last action of this objective (or of the objectives before it).
        index = sum(1 for a in actions if a.objective.number <= objective.number)
        order = actions[:index] + [None] + actions[index:]
    else:
        order = [a for a in actions if a.objective_id == objective.pk] + [None]
    _renumber(order, user=user, reason=reason)
    action = Action(objective=objective, number=_slot(order) + 1)
    _apply(action, values, ACTION_FIELDS)
    save_with_history(action, user=user, reason=reason)
    return action


@transaction.atomic
def action_update(*, action, user, token=None, **values):
    require_editable(plan=action.objective.plan, user=user)
    action = locked(Action, action.pk)
    check_token(action, ACTION_FIELDS, token, label=f"L'azione {action.number}")
    merged = {name: values.get(name, getattr(action, name)) for name in ACTION_FIELDS}
    raise_if(_action_errors(merged))
    if _apply(action, values, ACTION_FIELDS):
        save_with_history(action, user=user, reason="Azione modificata")
    return action


@transaction.atomic
def action_move(*, action, user, direction):
    """Up or down inside its objective; the numbers follow the new order."""
    plan = require_editable(plan=action.objective.plan, user=user)
    actions = _plan_actions(plan)
    siblings = [a for a in actions if a.objective_id == action.objective_id]
    swapped = _swap_index(siblings, action, direction)
    if swapped is None:
        return False
    # Siblings are contiguous in the canonical order: put them back in their new order.
    start = next(i for i, a in enumerate(actions) if a.objective_id == action.objective_id)
    actions[start:start + len(swapped)] = swapped
    _renumber_actions(plan, user=user, reason="Ordine delle azioni modificato", order=actions)
    return True


@transaction.atomic
def action_delete(*, action, user, confirmed=False):
    plan = require_editable(plan=action.objective.plan, user=user)
    action = locked(Action, action.pk)
    _require_confirmation(delete_impact(action=action), confirmed, f"L'azione {action.number}")
    delete_with_history(action, user=user, reason=f"Azione {action.number} eliminata")
    _renumber_actions(plan, user=user,
                      reason=f"Rinumerata dopo l'eliminazione dell'azione {action.number}")


# ---------------------------------------------------------------- referenti


def _referent_errors(plan, values):
    errors = {}
    required(errors, "name", values.get("name"), "Indicare il nominativo del referente.")
    ambito_id = plan.zone_plan.ambito_id
    organisation = values.get("organisation")
    if organisation is not None and organisation.ambito_id != ambito_id:
        errors["organisation"] = "L'ente scelto non è di questo ambito."
    user = values.get("user")
    if user is not None and not Membership.objects.filter(user=user, ambito_id=ambito_id).exists():
        errors["user"] = "L'utente scelto non ha un ruolo in questo ambito."
    return errors


def referent_users(*, plan):
    """The accounts a referente may be linked to: users with a role in the plan's ambito."""
    from django.contrib.auth import get_user_model

    return (get_user_model().objects.filter(
        memberships__ambito_id=plan.zone_plan.ambito_id, is_active=True)
        .distinct().order_by("last_name", "first_name", "username"))


def referent_organisations(*, plan):
    return Organisation.objects.filter(ambito_id=plan.zone_plan.ambito_id).order_by("name")


@transaction.atomic
def referent_create(*, objective, user, name, organisation=None, organisation_label="",
                    referent_user=None):
    plan = require_editable(plan=objective.plan, user=user)
    values = dict(name=name, organisation=organisation, organisation_label=organisation_label,
                  user=referent_user)
    raise_if(_referent_errors(plan, values))
    last = objective.referents.aggregate(m=Max("position"))["m"]
    referent = Referent(objective=objective, position=(last or 0) + 1)
    _apply(referent, values, REFERENT_FIELDS)
    save_with_history(referent, user=user, reason=f"Nuovo referente dell'obiettivo "
                                                  f"{objective.number}")
    return referent


@transaction.atomic
def referent_update(*, referent, user, token=None, **values):
    plan = require_editable(plan=referent.objective.plan, user=user)
    referent = locked(Referent, referent.pk)
    check_token(referent, REFERENT_FIELDS, token, label=f"Il referente {referent.name}")
    if "referent_user" in values:
        values["user"] = values.pop("referent_user")
    merged = {name: values.get(name, getattr(referent, name)) for name in REFERENT_FIELDS}
    raise_if(_referent_errors(plan, merged))
    if _apply(referent, values, REFERENT_FIELDS):
        save_with_history(referent, user=user, reason="Referente modificato")
    return referent


def move_by_position(obj, siblings, *, user, direction, reason):
    """Reorder rows kept in order by ``position`` (referenti, indicators, milestones…)."""
    items = _swap_index(list(siblings), obj, direction)
    if items is None:
        return False
    for index, row in enumerate(items, start=1):
        if row.position != index:
            row.position = index
            save_with_history(row, user=user, reason=reason)
    return True


@transaction.atomic
def referent_move(*, referent, user, direction):
    require_editable(plan=referent.objective.plan, user=user)
    siblings = Referent.objects.select_for_update().filter(
        objective_id=referent.objective_id).order_by("position", "pk")
    return move_by_position(referent, siblings, user=user, direction=direction,
                            reason="Ordine dei referenti modificato")


@transaction.atomic
def referent_delete(*, referent, user):
    require_editable(plan=referent.objective.plan, user=user)
    referent = locked(Referent, referent.pk)
    delete_with_history(referent, user=user, reason="Referente eliminato")


# ---------------------------------------------------------------- narrative sections


def plan_document(*, plan, create=False, user=None):
    """The plan's document: the one the printed Piano Operativo takes its narrative from.

    The report reads the sections of the ambito's Piano Operativo document of the plan's
    year (reports/builders.py), so the pages write there; a plan without one gets it.
    """
    ambito = plan.zone_plan.ambito
    document = (SourceDocument.objects.filter(
        ambito=ambito, kind=SourceDocument.Kind.OPERATING_PLAN, year=plan.year)
        .order_by("year", "pk").first())
    if document is not None or not create:
        return document
    base = slugify(f"po-{ambito.slug}-{plan.year}")[:70]
    key, n = base, 1
    while SourceDocument.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    document = SourceDocument(ambito=ambito, key=key, kind=SourceDocument.Kind.OPERATING_PLAN,
                              title=plan.title, year=plan.year, source="Pagine del piano")
    save_with_history(document, user=user, reason="Testi del piano scritti nelle pagine")
    return document


def plan_sections(*, plan):
    document = plan_document(plan=plan)
    if document is None:
        return Section.objects.none()
    return Section.objects.filter(document=document).order_by("position", "pk")


def _section_errors(values):
    errors = {}
    required(errors, "title", values.get("title"), "Indicare il titolo della sezione.")
    level = values.get("level")
    if level not in (1, 2, 3):
        errors["level"] = "Il livello del titolo è 1 (capitolo), 2 (paragrafo) o 3."
    return errors


def _section_of(plan, section):
    document = plan_document(plan=plan)
    if document is None or section.document_id != document.pk:
        raise PermissionDenied("La sezione non è di questo piano.")


def _section_key(document, title, exclude=None):
    base = slugify(title)[:140] or "sezione"
    key, n = base, 1
    rows = Section.objects.filter(document=document)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    while rows.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def section_create(*, plan, user, title, body="", level=1):
    """A narrative section at the end of the plan's text (premessa, quadro istituzionale…)."""
    plan = require_editable(plan=plan, user=user)
    values = dict(title=title, body=body, level=level)
    raise_if(_section_errors(values))
    document = plan_document(plan=plan, create=True, user=user)
    last = Section.objects.filter(document=document).aggregate(m=Max("position"))["m"]
    section = Section(document=document, key=_section_key(document, title),
                      position=(last or 0) + 1)
    _apply(section, values, SECTION_FIELDS)
    save_with_history(section, user=user, reason=f"Nuova sezione del {plan.title}")
    return section


@transaction.atomic
def section_update(*, plan, section, user, token=None, **values):
    plan = require_editable(plan=plan, user=user)
    _section_of(plan, section)
    section = locked(Section, section.pk)
    check_token(section, SECTION_FIELDS, token, label=f"La sezione «{section.title}»")
    merged = {name: values.get(name, getattr(section, name)) for name in SECTION_FIELDS}
    raise_if(_section_errors(merged))
    if _apply(section, values, SECTION_FIELDS):
        save_with_history(section, user=user, reason="Testo del piano modificato")
    return section


@transaction.atomic
def section_move(*, plan, section, user, direction):
    plan = require_editable(plan=plan, user=user)
    _section_of(plan, section)
    siblings = Section.objects.select_for_update().filter(
        document_id=section.document_id).order_by("position", "pk")
    return move_by_position(section, siblings, user=user, direction=direction,
                            reason="Ordine dei testi del piano modificato")


@transaction.atomic
def section_delete(*, plan, section, user):
    plan = require_editable(plan=plan, user=user)
    _section_of(plan, section)
    section = locked(Section, section.pk)
    delete_with_history(section, user=user, reason="Sezione eliminata")
