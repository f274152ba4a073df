"""Reads of the quarterly page: the user's objectives, their indicators and milestones."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from core.entry.access import is_referent_only
from core.roles import CHANGE, VIEW
from objectives.models import Objective

from .models import Indicator, Measurement, Milestone
from .periods import QUARTERS, is_due, quarter_end


@dataclass
class IndicatorEntry:
    indicator: Indicator
    previous: list  # (period_end, Measurement | None) of the earlier quarters
    current: Measurement | None
    due: bool
    editable: bool
    form: object = None


@dataclass
class ObjectiveEntries:
    objective: Objective
    indicators: list = field(default_factory=list)
    milestones: list = field(default_factory=list)  # (Milestone, editable)


def entry_objectives(*, plan, user):
    """The objectives a user works on: all of the plan, or a referente's own ones."""
    objectives = Objective.objects.restrict(user, VIEW).filter(plan=plan)
    if is_referent_only(user, plan.zone_plan.ambito_id):
        objectives = objectives.filter(referents__user=user).distinct()
    return objectives.order_by("number")


def quarter_entries(*, plan, user, period_end):
    objectives = list(entry_objectives(plan=plan, user=user))
    ends = [quarter_end(plan.year, q) for q in QUARTERS]
    earlier = [end for end in ends if end < period_end]
    indicators = (
        Indicator.objects.restrict(user, VIEW)
        .filter(objective__in=objectives)
        .select_related("objective", "action")
        .prefetch_related(Prefetch("measurements",
                                   queryset=Measurement.objects.order_by("period_end")))
        .order_by("position", "pk")
    )
    writable = set(
        Indicator.objects.restrict(user, CHANGE).filter(objective__in=objectives)
        .values_list("pk", flat=True)
    )
    milestones = (
        Milestone.objects.restrict(user, VIEW).filter(objective__in=objectives)
        .select_related("action").order_by("position", "pk")
    )
    writable_milestones = set(
        Milestone.objects.restrict(user, CHANGE).filter(objective__in=objectives)
        .values_list("pk", flat=True)
    )
    groups = {o.pk: ObjectiveEntries(o) for o in objectives}
    for indicator in indicators:
        by_period = {m.period_end: m for m in indicator.measurements.all()}
        groups[indicator.objective_id].indicators.append(
            IndicatorEntry(
                indicator=indicator,
                previous=[(p, by_period.get(p)) for p in earlier],
                current=by_period.get(period_end),
                due=is_due(indicator.periodicity, period_end),
                editable=indicator.pk in writable,
            )
        )
    for milestone in milestones:
        groups[milestone.objective_id].milestones.append(
            (milestone, milestone.pk in writable_milestones)
        )
    return {"groups": list(groups.values()), "earlier": earlier}
