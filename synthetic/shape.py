"""The shape of a real plan, measured on the seed documents loaded in the database.

Every count and sample the generator draws comes from here: objectives per plan, actions
per objective, lines per action (with their voce, nota, canale and amounts), indicators and
their kinds, how often a quarter is measured and in which state, milestones, referenti,
surplus. Nothing is a guess typed into the code: change the seeds and the shape follows.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

SYNTHETIC_PREFIX = "SYN-"


class MissingSeeds(Exception):
    pass


@dataclass
class Shape:
    objectives_per_plan: list
    actions_per_objective: list
    lines_per_action: list
    indicators_per_objective: list
    milestones_per_objective: list
    referents_per_objective: list
    # (item, note, channel code or None, preventivo in cents, consuntivo/preventivo ratio or None)
    lines: list
    channels: list  # (code, name, kind, restricted)
    objectives: list  # (title, short_title, timing)
    action_titles: list
    areas: list
    indicators: list  # (name, kind, target, periodicity, table_label)
    quarter_measured: float  # share of (indicator, quarter) pairs of a measured year with a row
    measurement_states: list  # state per measurement row, as found
    values_by_kind: dict = field(default_factory=dict)  # kind -> [Decimal]
    milestones: list = field(default_factory=list)  # (title, (month, day) or None, periodicity)
    milestone_outcomes: list = field(default_factory=list)  # achieved of closed-year rows
    referents: list = field(default_factory=list)  # (name, organisation_label)
    surplus_per_action: float = 0.0
    surplus_restricted: float = 1.0
    population: list = field(default_factory=list)
    size_classes: list = field(default_factory=list)


def _counts(queryset, related):
    return [row["n"] for row in queryset.annotate(n=Count(related)).values("n")]


def measure():
    """Read the shape off the seed rows (every ambito whose code is not synthetic)."""
    from budget.models import BudgetLine, FundingChannel, Surplus
    from governance.models import Municipality, PopulationFigure
    from indicators.models import Indicator, Measurement, Milestone
    from objectives.models import Action, Area, Objective, OperatingPlan, Referent

    real = {"zone_plan__ambito__slug__startswith": SYNTHETIC_PREFIX}
    plans = OperatingPlan.objects.exclude(**real)
    objectives = Objective.objects.exclude(**{"plan__" + k: v for k, v in real.items()})
    objectives = objectives.order_by("pk")
    actions = Action.objects.filter(objective__in=objectives).order_by("pk")
    lines = BudgetLine.objects.filter(action__in=actions).select_related("channel").order_by("pk")
    if not lines.exists():
        raise MissingSeeds(
            "Nessun documento di esempio nel database: esegui prima `manage.py load_seeds`."
        )
    indicators = Indicator.objects.filter(objective__in=objectives).order_by("pk")

    line_rows = []
    for line in lines:
        cents = int(line.preventivo * 100)
        ratio = None
        if line.consuntivo is not None and line.preventivo > 0:
            ratio = min(float(line.consuntivo / line.preventivo), 2.0)
        line_rows.append((line.item[:200], line.note[:150],
                          line.channel.code if line.channel_id else None, cents, ratio))

    # A measured year: a plan with at least one measurement (the 2015 plan never had any).
    measured_plans = set(
        Measurement.objects.filter(indicator__in=indicators)
        .values_list("indicator__objective__plan_id", flat=True).distinct()
    )
    measured_indicators = indicators.filter(objective__plan_id__in=measured_plans)
    measurements = Measurement.objects.filter(indicator__in=measured_indicators).order_by("pk")
    pairs = 4 * measured_indicators.count()
    values_by_kind = {}
    for kind, value in measurements.filter(value__isnull=False).values_list(
        "indicator__kind", "value"
    ):
        values_by_kind.setdefault(kind, []).append(Decimal(value))

    closed = set(plans.filter(state=OperatingPlan.State.CLOSED).values_list("pk", flat=True))
    closed_actions = actions.filter(objective__plan_id__in=closed).count()
    surplus = Surplus.objects.filter(plan_id__in=closed)
    restricted = surplus.filter(restricted=True).count()

    channels = {}
    for channel in FundingChannel.objects.exclude(ambito__slug__startswith=SYNTHETIC_PREFIX) \
            .order_by("ambito_id", "code"):
        channels.setdefault(channel.code, (channel.code, channel.name[:200], channel.kind,
                                           channel.restricted))
    milestones = Milestone.objects.filter(objective__in=objectives).order_by("pk")
    municipalities = Municipality.objects.exclude(ambito__slug__startswith=SYNTHETIC_PREFIX)
    return Shape(
        objectives_per_plan=[n for n in _counts(plans.order_by("pk"), "objectives") if n],
        actions_per_objective=_counts(objectives, "actions"),
        lines_per_action=_counts(actions, "lines"),
        indicators_per_objective=_counts(objectives, "indicators"),
        milestones_per_objective=_counts(objectives, "milestones"),
        referents_per_objective=_counts(objectives, "referents"),
        lines=line_rows,
        channels=list(channels.values()),
        objectives=[(o.title[:300], o.short_title[:150], o.timing[:200]) for o in objectives],
        action_titles=[a.title[:300] for a in actions],
        areas=list(
            Area.objects.exclude(zone_plan__ambito__slug__startswith=SYNTHETIC_PREFIX)
            .order_by("pk").values_list("name", flat=True)
        ),
        indicators=[(i.name[:300], i.kind, i.target[:200], i.periodicity, i.table_label[:200])
                    for i in indicators],
        quarter_measured=measurements.count() / pairs if pairs else 0.0,
        measurement_states=list(measurements.values_list("state", flat=True)),
        values_by_kind=values_by_kind,
        milestones=[
            (m.title[:300], (m.due_date.month, min(m.due_date.day, 28)) if m.due_date else None,
             m.periodicity)
            for m in milestones
        ],
        milestone_outcomes=list(
            milestones.filter(objective__plan_id__in=closed).values_list("achieved", flat=True)
        ),
        referents=list(
            Referent.objects.filter(objective__in=objectives).order_by("pk")
            .values_list("name", "organisation_label")
        ),
        surplus_per_action=surplus.count() / closed_actions if closed_actions else 0.0,
        surplus_restricted=restricted / surplus.count() if surplus.exists() else 1.0,
        population=list(
            PopulationFigure.objects.filter(municipality__in=municipalities)
            .order_by("pk").values_list("value", flat=True)
        ),
        size_classes=[c for c in municipalities.order_by("pk")
                      .values_list("size_class", flat=True) if c],
    )


def summary(shape):
    """A few figures of the shape, for the command's output."""

    def mean(values):
        return sum(values) / len(values) if values else 0

    channel_mix = Counter(code or "(senza canale)" for *_, code, _c, _r in shape.lines)
    return {
        "obiettivi per piano": f"{mean(shape.objectives_per_plan):.1f}",
        "azioni per obiettivo": f"{mean(shape.actions_per_objective):.2f}",
        "righe per azione": f"{mean(shape.lines_per_action):.2f}",
        "indicatori per obiettivo": f"{mean(shape.indicators_per_objective):.2f}",
        "trimestri rilevati": f"{shape.quarter_measured:.1%}",
        "canali più usati": ", ".join(c for c, _n in channel_mix.most_common(4)),
    }
