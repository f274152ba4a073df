"""Writes on plans: the life cycle of a Piano Operativo (bozza → approvato → chiuso).

Every transition checks who asks (PermissionDenied) and the plan's state and data
(ValidationError, with every problem found in one message) before it writes; a
refusal changes nothing. Each write leaves its history record with the user and
the reason.

Who moves a plan: the Ufficio di Piano prepares it and records the approval; the
approval may also be recorded by the Assemblea dei Sindaci; the year is closed by
the Ufficio di Piano. Referenti and revisori never move a plan. ``user=None``
means the command line (``manage.py close_year``), run by whoever runs the server.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from simple_history.utils import bulk_create_with_history

from core.formatting import format_euro
from core.roles import Role
from core.scoping import grants_for
from governance.models import Body, Deliberation

from .models import Action, Objective, OperatingPlan, Referent, ZonePlan

APPROVERS = (Role.STAFF, Role.ASSEMBLY)
CLOSERS = (Role.STAFF,)


def user_holds(user, ambito, *roles):
    """Whether ``user`` holds one of ``roles`` in ``ambito`` (superusers hold them all)."""
    if user is None or not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or ambito.pk in grants_for(user).ambiti(*roles)


def require_role(*, user, ambito, roles, doing):
    if not user_holds(user, ambito, *roles):
        raise PermissionDenied(f"Non hai i permessi per {doing} nell'{ambito}.")


def save_with_history(obj, *, user, reason):
    """Save ``obj`` so that its history record says who did it and why."""
    if user is not None:
        obj._history_user = user
    obj._change_reason = reason
    obj.save()


def deliberation_problems(deliberation, *, ambito, approves, assembly=True, act=True):
    """What makes ``deliberation`` unfit to be the act of a transition (empty: fit)."""
    if deliberation is None:
        return ["Indicare la delibera che approva l'atto."]
    problems = []
    if deliberation.ambito_id != ambito.pk:
        problems.append(f"La delibera {deliberation} non appartiene all'{ambito}.")
    if assembly and (deliberation.body is None or deliberation.body.kind != Body.Kind.MAYORS):
        problems.append(f"La delibera {deliberation} non è dell'Assemblea dei Sindaci.")
    if not deliberation.number:
        problems.append("La delibera non ha numero.")
    if not deliberation.date:
        problems.append("La delibera non ha data.")
    if act and not deliberation.act:
        problems.append("Manca l'atto allegato alla delibera.")
    if approves and deliberation.approves != approves:
        expected = Deliberation.Subject(approves).label
        problems.append(
            f"La delibera approva «{deliberation.get_approves_display()}», non «{expected}»."
        )
    return problems


def _state_label(plan):
    return plan.get_state_display().lower()


@transaction.atomic
def plan_approve(*, plan, deliberation, user, shortfall_note=""):
    """bozza → approvato, recorded with the Assemblea's deliberation.

    Every objective must have its resources table (a total, even of zero: "€ -"), and the
    year's entrate must cover the preventivo, or the shortfall must be stated.
    """
    from budget.selectors import plan_funding

    plan = (
        OperatingPlan.objects.select_for_update(of=("self",))
        .select_related("zone_plan__ambito").get(pk=plan.pk)
    )
    ambito = plan.zone_plan.ambito
    require_role(user=user, ambito=ambito, roles=APPROVERS, doing="approvare il piano")
    if plan.state != OperatingPlan.State.DRAFT:
        raise ValidationError(
            f"Il {plan.title} è {_state_label(plan)}: si approva solo un piano in bozza."
        )
    problems = deliberation_problems(
        deliberation, ambito=ambito, approves=Deliberation.Subject.OPERATING_PLAN
    )
    problems += _objective_problems(plan)
    funding = plan_funding(plan=plan)
    shortfall_note = (shortfall_note or "").strip()
    if funding["shortfall"] > 0 and not shortfall_note:
        problems.append(
            f"Le entrate ({format_euro(funding['funding'])}) non coprono il preventivo "
            f"({format_euro(funding['preventivo'])}): mancano "
            f"{format_euro(funding['shortfall'])}. Indicare come si copre la scopertura."
        )
    if problems:
        raise ValidationError(problems)
    plan.state = OperatingPlan.State.APPROVED
    plan.approval = deliberation
    plan.funding_shortfall_note = shortfall_note if funding["shortfall"] > 0 else ""
    save_with_history(plan, user=user, reason=f"Approvato con {deliberation}")
    return plan


def _objective_problems(plan):
    from budget.models import BudgetLine

    objectives = Objective.objects.filter(plan=plan)
    if not objectives.exists():
        return ["Il piano non ha obiettivi."]
    lines = BudgetLine.objects.filter(action__objective=OuterRef("pk"))
    empty = objectives.filter(~Exists(lines)).order_by("number")
    return [
        f"L'obiettivo {objective.number} non ha righe di budget (un obiettivo a costo zero "
        "ha comunque la sua tabella risorse, con importo 0)."
        for objective in empty
    ]


def next_zone_plan(*, ambito, year, prefer=None):
    """The Piano di Zona that covers ``year`` (``prefer`` first)."""
    if prefer is not None and prefer.covers(year):
        return prefer
    return (
        ZonePlan.objects.filter(ambito=ambito, start_year__lte=year, end_year__gte=year)
        .order_by("-start_year")
        .first()
    )


@transaction.atomic
def plan_copy(*, source, year, user=None):
    """A draft plan for ``year`` built on ``source``: objectives, actions, referenti,
    indicators and budget lines (voci and funds) are copied; amounts stay empty."""
    from budget.models import BudgetLine
    from indicators.models import Indicator

    ambito = source.zone_plan.ambito
    if OperatingPlan.objects.filter(zone_plan__ambito=ambito, year=year).exists():
        raise ValidationError(f"Esiste già il Piano Operativo {year} dell'{ambito}.")
    zone_plan = next_zone_plan(ambito=ambito, year=year, prefer=source.zone_plan)
    if zone_plan is None:
        raise ValidationError(
            f"Nessun Piano di Zona dell'{ambito} copre il {year}: crearlo prima."
        )
    reason = f"Creato dal {source.title}"
    plan = OperatingPlan(
        zone_plan=zone_plan, year=year, title=f"Piano Operativo {year}",
        state=OperatingPlan.State.DRAFT, action_numbering=source.action_numbering,
    )
    save_with_history(plan, user=user, reason=reason)

    def bulk(model, objs):
        return bulk_create_with_history(
            objs, model, default_user=user, default_change_reason=reason
        )

    areas = {}
    if zone_plan != source.zone_plan:
        areas = {area.name.lower(): area for area in zone_plan.areas.all()}

    def area_for(area):
        if area is None or zone_plan == source.zone_plan:
            return area
        return areas.get(area.name.lower())

    old_objectives = list(source.objectives.select_related("area").order_by("number"))
    new_objectives = bulk(Objective, [
        Objective(
            plan=plan, area=area_for(o.area), number=o.number, code=o.code, title=o.title,
            short_title=o.short_title, description=o.description,
            triennial_goal=o.triennial_goal, activities=o.activities, timing=o.timing,
        )
        for o in old_objectives
    ])
    objective_map = {old.pk: new for old, new in zip(old_objectives, new_objectives, strict=True)}

    old_actions = list(Action.objects.filter(objective__plan=source).order_by("pk"))
    new_actions = bulk(Action, [
        Action(
            objective=objective_map[a.objective_id], number=a.number, title=a.title,
            description=a.description,
        )
        for a in old_actions
    ])
    action_map = {old.pk: new for old, new in zip(old_actions, new_actions, strict=True)}

    bulk(Referent, [
        Referent(
            objective=objective_map[r.objective_id], name=r.name, organisation=r.organisation,
            organisation_label=r.organisation_label, user=r.user, position=r.position,
        )
        for r in Referent.objects.filter(objective__plan=source).order_by("pk")
    ])
    bulk(Indicator, [
        Indicator(
            objective=objective_map[i.objective_id],
            action=action_map.get(i.action_id), table_label=i.table_label, name=i.name,
            kind=i.kind, target=i.target, periodicity=i.periodicity, note=i.note,
            position=i.position,
        )
        for i in Indicator.objects.filter(objective__plan=source).order_by("pk")
    ])
    bulk(BudgetLine, [
        BudgetLine(
            action=action_map[line.action_id], item=line.item, note=line.note,
            channel=line.channel, position=line.position,
        )
        for line in BudgetLine.objects.filter(action__objective__plan=source).order_by("pk")
    ])
    return plan
