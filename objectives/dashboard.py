"""The dashboard of an operating plan: money, indicators and milestones, for one user.

Totals come from budget/selectors.py (the figures of the reports and the API);
this module only lists and counts what the user may see.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from budget.models import FundingChannel
from budget.selectors import channel_totals, objectives_with_totals, plan_totals
from classification.selectors import plan_lines, unclassified_share
from core.entry.charts import paired_bars, share
from core.roles import VIEW
from indicators.models import Indicator, Measurement, Milestone
from indicators.periods import current_quarter, is_due, quarter_end, quarter_start
from objectives.models import Objective


@dataclass
class IndicatorStatus:
    indicator: Indicator
    last: Measurement | None
    current: Measurement | None
    due: bool


@dataclass
class QuarterStatus:
    quarter: int
    period_end: object
    due: int = 0
    entered: int = 0
    missing: list = field(default_factory=list)
    milestones_open: list = field(default_factory=list)

    @property
    def missing_by_objective(self):
        groups = {}
        for indicator in self.missing:
            groups.setdefault(indicator.objective, []).append(indicator)
        return list(groups.items())

    @property
    def entered_width(self):
        return share(self.entered, self.due)


def indicator_statuses(*, indicators, period_end):
    statuses = []
    for indicator in indicators:
        measurements = list(indicator.measurements.all())  # prefetched, by period
        current = next((m for m in measurements if m.period_end == period_end), None)
        last = measurements[-1] if measurements else None
        statuses.append(IndicatorStatus(indicator, last, current,
                                        is_due(indicator.periodicity, period_end)))
    return statuses


def plan_dashboard(*, plan, user, today):
    quarter = current_quarter(plan.year, today)
    period_end = quarter_end(plan.year, quarter)
    objectives = list(
        objectives_with_totals(Objective.objects.restrict(user, VIEW).filter(plan=plan))
        .order_by("number")
    )
    channels = [
        row for row in channel_totals(plan=plan)
        if row["lines"]["preventivo"] or row["lines"]["consuntivo"]
    ]
    for row in channels:
        # By the name people know (FundingChannel.label), never a code like DOPO_DI_NOI.
        row["label"] = FundingChannel.label_for(row["code"], row["name"])
        row["preventivo"] = row["lines"]["preventivo"]
        row["consuntivo"] = row["lines"]["consuntivo"]
    # Lines without a channel are not a fund: they are told apart from the channels (and
    # kept off their chart, whose scale they would flatten).
    unassigned = next((row for row in channels if row["channel"] is None), None)
    channels = sorted((row for row in channels if row["channel"] is not None),
                      key=lambda row: (-row["preventivo"], row["label"]))
    totals = plan_totals(plan=plan)
    # The year's money not yet classified by area di utenza (the consuntivo once closed).
    measure = "consuntivo" if plan.state == plan.State.CLOSED else "preventivo"
    gap, whole = unclassified_share(plan_lines(plans=[plan]), dimension_code="area_utenza",
                                    measure=measure)
    unclassified = {"amount": gap, "total": whole, "measure": measure,
                    "share": share(gap, whole)}
    if unassigned is not None:
        unassigned["share"] = share(unassigned["preventivo"], totals["preventivo"])
    indicators = (
        Indicator.objects.restrict(user, VIEW)
        .filter(objective__plan=plan)
        .select_related("objective")
        .prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("period_end"))
        )
        .order_by("objective__number", "position", "pk")
    )
    statuses = indicator_statuses(indicators=indicators, period_end=period_end)
    milestones = list(
        Milestone.objects.restrict(user, VIEW)
        .filter(objective__plan=plan)
        .select_related("objective")
        .order_by("due_date", "objective__number", "position")
    )
    late = [m for m in milestones
            if m.due_date and m.due_date < today and m.achieved != Milestone.Outcome.YES]
    start = quarter_start(plan.year, quarter)
    due_now = [m for m in milestones
               if (m.due_date and start <= m.due_date <= period_end) or m.periodicity]
    status = QuarterStatus(quarter, period_end)
    for item in statuses:
        if item.due:
            status.due += 1
            if item.current is None:
                status.missing.append(item.indicator)
            else:
                status.entered += 1
    status.milestones_open = [m for m in due_now if not m.achieved]
    return {
        "quarter": status,
        "totals": totals,
        "unclassified": unclassified,
        "objectives": objectives,
        "objective_bars": paired_bars(
            [{"label": f"{o.number} · {o.title}", "title": f"Obiettivo {o.number}: {o.title}",
              "a": o.total_preventivo, "b": o.total_consuntivo} for o in objectives],
            label="label", a="a", b="b", title="title",
        ),
        "channels": channels,
        "unassigned": unassigned,
        "channel_bars": paired_bars(channels, label="label", a="preventivo", b="consuntivo",
                                    title="name"),
        "indicators": statuses,
        "milestones_late": late,
        "milestones_due": due_now,
    }
