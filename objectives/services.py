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

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Cast
from simple_history.utils import bulk_create_with_history

from core import freeze
from core.formatting import format_euro
from core.history_writes import record_unchanged
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


def delete_with_history(obj, *, user, reason):
    """Delete ``obj`` so that its last history record says who did it and why."""
    if user is not None:
        obj._history_user = user
    obj._change_reason = reason
    obj.delete()


def act_date_problem(when, *, not_before, not_after=None):
    """Why an act dated ``when`` cannot serve a plan of year ``not_before`` (None: it can).

    ``not_after``: the last year the act may be dated (a variation of a year's budget is
    approved in that year or, at the latest, in the next one).
    """
    if when is None:
        return None
    if not_before is not None and when.year < not_before:
        return (
            f"L'atto è del {when:%d/%m/%Y}: per un piano del {not_before} si accettano solo "
            f"atti dal 01/01/{not_before} in poi."
        )
    if not_after is not None and when.year > not_after:
        return (
            f"L'atto è del {when:%d/%m/%Y}: per questo piano si accettano solo atti fino al "
            f"31/12/{not_after}."
        )
    return None


def deliberation_problems(deliberation, *, ambito, approves, assembly=True, act=True,
                          not_before=None, not_after=None, numbered=True):
    """What makes ``deliberation`` unfit to be the act of a transition (empty: fit).

    ``not_before``: the first year the act may be dated (the plan's year): an act of an
    earlier year belongs to another plan.
    """
    if deliberation is None:
        return ["Indicare la delibera che approva l'atto."]
    problems = []
    if deliberation.ambito_id != ambito.pk:
        problems.append(f"La delibera {deliberation} non appartiene all'{ambito}.")
    if assembly and (deliberation.body is None or deliberation.body.kind != Body.Kind.MAYORS):
        problems.append(f"La delibera {deliberation} non è dell'Assemblea dei Sindaci.")
    if numbered and not deliberation.number:
        problems.append("La delibera non ha numero.")
    if not deliberation.date:
        problems.append("La delibera non ha data.")
    date_problem = act_date_problem(deliberation.date, not_before=not_before,
                                    not_after=not_after)
    if date_problem:
        problems.append(date_problem)
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


def objectives_without_resources(*, plan):
    """Objectives of ``plan`` that have budget lines, all at 0,00 € (no resources)."""
    from budget.models import BudgetLine

    lines = BudgetLine.objects.filter(action__objective=OuterRef("pk"))
    return (
        Objective.objects.filter(plan=plan)
        .filter(Exists(lines), ~Exists(lines.filter(preventivo__gt=0)))
        .order_by("number")
    )


def plan_approval_problems(*, plan, shortfall_note="", zero_budget_reasons=None):
    """What blocks the approval of ``plan``, the act aside (empty: nothing blocks it).

    ``zero_budget_reasons`` maps an objective's pk to the stated reason why it goes
    without resources this year; without one, an objective at 0,00 € blocks the plan.
    """
    from budget.selectors import plan_funding

    reasons = {k: (v or "").strip() for k, v in (zero_budget_reasons or {}).items()}
    problems = _objective_problems(plan)
    for objective in objectives_without_resources(plan=plan):
        if not reasons.get(objective.pk):
            problems.append(
                f"L'obiettivo {objective.number} non ha risorse (le sue righe di budget "
                "sommano a 0,00 €): assegnare le risorse o indicare perché resta senza."
            )
    funding = plan_funding(plan=plan)
    if funding["shortfall"] > 0 and not (shortfall_note or "").strip():
        problems.append(
            f"Le entrate ({format_euro(funding['funding'])}) non coprono il preventivo "
            f"({format_euro(funding['preventivo'])}): mancano "
            f"{format_euro(funding['shortfall'])}. Indicare come si copre la scopertura."
        )
    return problems


@transaction.atomic
def plan_approve(*, plan, deliberation, user, shortfall_note="", zero_budget_reasons=None):
    """bozza → approvato, recorded with the Assemblea's deliberation.

    Every objective must have its resources table and resources (an objective at 0,00 €
    needs a stated reason, kept in its history), the act must be of the plan's ambito and
    not dated before the plan's year, and the year's entrate must cover the preventivo,
    or the shortfall must be stated.
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
        deliberation, ambito=ambito, approves=Deliberation.Subject.OPERATING_PLAN,
        not_before=plan.year,
    )
    problems += plan_approval_problems(
        plan=plan, shortfall_note=shortfall_note, zero_budget_reasons=zero_budget_reasons
    )
    if problems:
        raise ValidationError(problems)
    shortfall_note = (shortfall_note or "").strip()
    funding = plan_funding(plan=plan)
    reasons = {k: (v or "").strip() for k, v in (zero_budget_reasons or {}).items()}
    for objective in objectives_without_resources(plan=plan):
        record_unchanged(objective)  # nothing changes: the record keeps the stated reason
        save_with_history(
            objective, user=user,
            reason=f"Senza risorse all'approvazione del {plan.title}: {reasons[objective.pk]}",
        )
    plan.state = OperatingPlan.State.APPROVED
    plan.approval = deliberation
    plan.funding_shortfall_note = shortfall_note if funding["shortfall"] > 0 else ""
    with freeze.allow(freeze.APPROVAL):  # bozza → approvato: the one write of the state
        save_with_history(plan, user=user, reason=f"Approvato con {deliberation}")
    return plan


@transaction.atomic
def zone_plan_approve(*, zone_plan, deliberation, user):
    """Record the approval of a Piano di Zona (its Accordo di programma, with its date).

    The act may be of the year before the period starts (the Accordo is signed before
    the triennium begins), not earlier; its number is optional.
    """
    zone_plan = (
        ZonePlan.objects.select_for_update(of=("self",)).select_related("ambito")
        .get(pk=zone_plan.pk)
    )
    ambito = zone_plan.ambito
    require_role(user=user, ambito=ambito, roles=APPROVERS,
                 doing="approvare il Piano di Zona")
    if zone_plan.approval_id is not None:
        raise ValidationError(
            f"Il {zone_plan.title} è già approvato con {zone_plan.approval}."
        )
    problems = deliberation_problems(
        deliberation, ambito=ambito, approves=Deliberation.Subject.ZONE_PLAN, assembly=False,
        act=False, not_before=zone_plan.start_year - 1, numbered=False,
    )
    if problems:
        raise ValidationError(problems)
    zone_plan.approval = deliberation
    zone_plan.approved_on = deliberation.date
    save_with_history(zone_plan, user=user, reason=f"Approvato con {deliberation}")
    return zone_plan


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


class Amounts(models.TextChoices):
    """What a carried budget line's preventivo starts from."""

    PREVENTIVO = "preventivo", "Il preventivo dell'anno precedente"
    CONSUNTIVO = "consuntivo", "Il consuntivo dell'anno precedente"
    NONE = "nessuno", "Nessun importo (0,00 €)"


@dataclass(frozen=True)
class Carry:
    """What a new plan takes from last year's (objectives and actions are its skeleton:
    without them nothing else can be carried)."""

    objectives: bool = True
    referents: bool = True
    indicators: bool = True  # indicators with targets, and the ranges di valutazione
    milestones: bool = True
    budget: bool = True
    amounts: str = Amounts.PREVENTIVO

    def __post_init__(self):
        if self.amounts not in Amounts.values:
            raise ValueError(f"amounts: {self.amounts!r}")

    @property
    def kinds(self):
        if not self.objectives:
            return ()
        chosen = ["objectives", "actions"]
        chosen += [name for name in ("referents", "indicators", "milestones", "budget")
                   if getattr(self, name)]
        return tuple(chosen)


# The structure a closing used to copy (no milestones, no amounts).
STRUCTURE_ONLY = Carry(milestones=False, amounts=Amounts.NONE)


def _carried_querysets(source):
    from budget.models import BudgetLine
    from indicators.models import EvaluationCriterion, Indicator, Milestone

    return {
        "objectives": Objective.objects.filter(plan=source),
        "actions": Action.objects.filter(objective__plan=source),
        "referents": Referent.objects.filter(objective__plan=source),
        "indicators": Indicator.objects.filter(objective__plan=source),
        "ranges": EvaluationCriterion.objects.filter(objective__plan=source),
        "milestones": Milestone.objects.filter(objective__plan=source),
        "budget": BudgetLine.objects.filter(action__objective__plan=source),
    }


def plan_carry_summary(*, source, carry):
    """What ``plan_create_from`` would create: counts per kind and the budget's total."""
    from django.db.models import Count, Sum

    sets = _carried_querysets(source)
    kinds = carry.kinds
    counts = {name: 0 for name in sets}
    for name in ("objectives", "actions", "referents", "indicators", "ranges", "milestones"):
        wanted = "indicators" if name == "ranges" else name
        if wanted in kinds:
            counts[name] = sets[name].count()
    total = Decimal("0.00")
    if "budget" in kinds:
        figures = sets["budget"].aggregate(
            lines=Count("pk"), preventivo=Sum("preventivo"), consuntivo=Sum("consuntivo")
        )
        counts["budget"] = figures["lines"]
        if carry.amounts != Amounts.NONE:
            total = (figures[carry.amounts] or Decimal("0")).quantize(Decimal("0.01"))
    return {"counts": counts, "total": total}


def _shift_year(day, years):
    """The same day ``years`` later (29 February becomes 28 February)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def objectives_mentioning_year(*, plan, year):
    """Objectives of ``plan`` whose texts (or their actions', indicators', milestones',
    ranges') name ``year``: texts written for another year, to be reviewed.

    Returns ``[(objective, [where, ...]), ...]`` ordered by number, in six queries.
    """
    from indicators.models import EvaluationCriterion, Indicator, Milestone

    word = re.compile(rf"(?<!\d){year}(?!\d)")
    token = str(year)
    found = {}

    def scan(queryset, owner, fields, label):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__contains": token})
        for row in queryset.filter(condition).values(owner, *fields):
            if any(word.search(str(row[f] or "")) for f in fields):
                found.setdefault(row[owner], []).append(label)

    objectives = Objective.objects.filter(plan=plan).annotate(
        activities_text=Cast("activities", output_field=models.TextField())
    )
    scan(objectives, "pk",
         ("title", "short_title", "description", "triennial_goal", "timing", "activities_text"),
         "testo dell'obiettivo")
    scan(Action.objects.filter(objective__plan=plan), "objective_id",
         ("title", "description"), "azioni")
    scan(Indicator.objects.filter(objective__plan=plan), "objective_id",
         ("name", "target", "note"), "indicatori")
    scan(Milestone.objects.filter(objective__plan=plan), "objective_id",
         ("title",), "traguardi")
    scan(EvaluationCriterion.objects.filter(objective__plan=plan), "objective_id",
         ("text",), "range di valutazione")
    objectives = Objective.objects.filter(pk__in=found).order_by("number")
    return [(o, list(dict.fromkeys(found[o.pk]))) for o in objectives]


def plan_create_from_problems(*, source, year, user):
    """Why ``plan_create_from`` would refuse (empty: it would not). PermissionDenied first."""
    ambito = source.zone_plan.ambito
    if user is not None:
        require_role(user=user, ambito=ambito, roles=CLOSERS,
                     doing="creare un nuovo Piano Operativo")
    existing = OperatingPlan.objects.filter(zone_plan__ambito=ambito, year=year)
    if existing.exists() and empty_draft(ambito=ambito, year=year) is None:
        return [f"Esiste già il Piano Operativo {year} dell'{ambito}."]
    if next_zone_plan(ambito=ambito, year=year, prefer=source.zone_plan) is None:
        return [f"Nessun Piano di Zona dell'{ambito} copre il {year}: crearlo prima."]
    return []


def empty_draft(*, ambito, year):
    """The plan of ``year`` if it is a bozza with no objectives yet, else None.

    Closing a year before next year's plan exists leaves such a shell holding only the
    carried avanzo entrate (budget/services.py year_close): "new plan from last year"
    fills it rather than refusing because a plan of that year exists.
    """
    return (
        OperatingPlan.objects.filter(
            zone_plan__ambito=ambito, year=year, state=OperatingPlan.State.DRAFT
        ).exclude(objectives__isnull=False).first()
    )


@transaction.atomic
def plan_create_from(*, source, year, user, carry=Carry()):
    """A draft plan for ``year`` built on ``source`` with what ``carry`` says.

    Objectives and actions keep their numbers; referenti, indicators (targets,
    periodicity, ranges di valutazione) and milestones (periodicity, due dates moved
    by the years between the plans) come along as chosen, without last year's values
    or outcomes; budget lines keep voce, nota and fund with last year's preventivo,
    consuntivo or no amount. Texts are carried as they are: ``objectives_mentioning_year``
    lists those to review. A fixed number of queries whatever the plan's size (bulk
    inserts with their history). ``user=None`` is the command line.
    """
    from budget.models import BudgetLine
    from indicators.models import EvaluationCriterion, Indicator, Milestone

    problems = plan_create_from_problems(source=source, year=year, user=user)
    if problems:
        raise ValidationError(problems)
    ambito = source.zone_plan.ambito
    reason = f"Creato dal {source.title}"
    plan = empty_draft(ambito=ambito, year=year)
    if plan is None:
        zone_plan = next_zone_plan(ambito=ambito, year=year, prefer=source.zone_plan)
        plan = OperatingPlan(
            zone_plan=zone_plan, year=year, title=f"Piano Operativo {year}",
            state=OperatingPlan.State.DRAFT, action_numbering=source.action_numbering,
        )
    else:
        # The shell the closing left (with the avanzo entrate): filled, not replaced.
        zone_plan = plan.zone_plan
        plan.action_numbering = source.action_numbering
    save_with_history(plan, user=user, reason=reason)
    kinds = carry.kinds
    if not kinds:
        return plan
    sets = _carried_querysets(source)
    shift = year - source.year

    def bulk(model, objs):
        if not objs:
            return []
        return bulk_create_with_history(
            objs, model, default_user=user, default_change_reason=reason
        )

    same_zone_plan = zone_plan.pk == source.zone_plan_id
    areas = {} if same_zone_plan else {
        area.name.casefold(): area for area in zone_plan.areas.all()
    }

    def area_for(area):
        if area is None or same_zone_plan:
            return area
        return areas.get(area.name.casefold())

    old_objectives = list(sets["objectives"].select_related("area").order_by("number"))
    new_objectives = bulk(Objective, [
        Objective(
            plan=plan, area=area_for(o.area), number=o.number, code=o.code, title=o.title,
            short_title=o.short_title, description=o.description,
            triennial_goal=o.triennial_goal, activities=o.activities, timing=o.timing,
        )
        for o in old_objectives
    ])
    objective_map = {old.pk: new for old, new in zip(old_objectives, new_objectives, strict=True)}

    old_actions = list(sets["actions"].order_by("pk"))
    new_actions = bulk(Action, [
        Action(
            objective=objective_map[a.objective_id], number=a.number, title=a.title,
            description=a.description,
        )
        for a in old_actions
    ])
    action_map = {old.pk: new for old, new in zip(old_actions, new_actions, strict=True)}

    if "referents" in kinds:
        bulk(Referent, [
            Referent(
                objective=objective_map[r.objective_id], name=r.name,
                organisation_id=r.organisation_id, organisation_label=r.organisation_label,
                user_id=r.user_id, position=r.position,
            )
            for r in sets["referents"].order_by("pk")
        ])
    if "indicators" in kinds:
        bulk(Indicator, [
            Indicator(
                objective=objective_map[i.objective_id],
                action=action_map.get(i.action_id), table_label=i.table_label, name=i.name,
                kind=i.kind, target=i.target, periodicity=i.periodicity, note=i.note,
                position=i.position,
            )
            for i in sets["indicators"].order_by("pk")
        ])
        bulk(EvaluationCriterion, [
            EvaluationCriterion(
                objective=objective_map[c.objective_id], text=c.text, position=c.position
            )
            for c in sets["ranges"].order_by("pk")
        ])
    if "milestones" in kinds:
        bulk(Milestone, [
            Milestone(
                objective=objective_map[m.objective_id], action=action_map.get(m.action_id),
                title=m.title, due_date=_shift_year(m.due_date, shift),
                periodicity=m.periodicity, position=m.position,
            )
            for m in sets["milestones"].order_by("pk")
        ])
    if "budget" in kinds:
        def amount(line):
            if carry.amounts == Amounts.NONE:
                return Decimal("0.00")
            return getattr(line, carry.amounts) or Decimal("0.00")

        bulk(BudgetLine, [
            BudgetLine(
                action=action_map[line.action_id], item=line.item, note=line.note,
                channel_id=line.channel_id, position=line.position, preventivo=amount(line),
            )
            for line in sets["budget"].order_by("pk")
        ])
    return plan


def plan_copy(*, source, year, user=None):
    """The closing's next plan: the structure of ``source`` without milestones or amounts."""
    return plan_create_from(source=source, year=year, user=user, carry=STRUCTURE_ONLY)


@transaction.atomic
def plan_create_from_zone_plan(*, zone_plan, year, user):
    """A first draft Piano Operativo for ``year`` drawn from the Piano di Zona: one objective
    per area (its number and name, its goals as the obiettivo del triennio) and one action
    per policy goal, numbered across the plan; no budget lines yet. A fixed number of
    queries; ``user=None`` is the command line."""
    ambito = zone_plan.ambito
    if user is not None:
        require_role(user=user, ambito=ambito, roles=CLOSERS,
                     doing="creare un nuovo Piano Operativo")
    problems = []
    if not zone_plan.covers(year):
        problems.append(f"Il {year} è fuori dal periodo del {zone_plan}.")
    if OperatingPlan.objects.filter(zone_plan__ambito=ambito, year=year).exists():
        problems.append(f"Esiste già il Piano Operativo {year} dell'{ambito}.")
    areas = list(zone_plan.areas.prefetch_related("goals").order_by("position", "pk"))
    if not areas:
        problems.append(f"Il {zone_plan} non ha aree da cui trarre gli obiettivi.")
    if problems:
        raise ValidationError(problems)
    reason = f"Creato dal {zone_plan}"
    plan = OperatingPlan(
        zone_plan=zone_plan, year=year, title=f"Piano Operativo {year}",
        state=OperatingPlan.State.DRAFT, action_numbering=OperatingPlan.Numbering.PLAN,
    )
    save_with_history(plan, user=user, reason=reason)

    def goals_of(area):
        return sorted(area.goals.all(), key=lambda goal: (goal.position, goal.pk))

    objectives = bulk_create_with_history([
        Objective(
            plan=plan, area=area, number=number, code=area.code[:20],
            title=area.name[:400], short_title=area.name[:200].capitalize(),
            description=area.description,
            triennial_goal="\n".join(f"- {goal.title}" for goal in goals_of(area)),
        )
        for number, area in enumerate(areas, 1)
    ], Objective, default_user=user, default_change_reason=reason)
    actions, number = [], 0
    for objective, area in zip(objectives, areas, strict=True):
        for goal in goals_of(area):
            number += 1
            title = " ".join(goal.title.split())
            actions.append(Action(
                objective=objective, number=number,
                title=title if len(title) <= 400 else title[:399] + "…",
                description=goal.description,
            ))
    bulk_create_with_history(actions, Action, default_user=user, default_change_reason=reason)
    return plan
