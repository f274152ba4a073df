"""Reads that compute totals: the one place pages, API and reports get their sums from."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.derived import GroupedColumn

from .models import BudgetLine, FundingAllocation, FundingChannel, Surplus

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _sum(field, **filter_kw):
    flt = Q(**filter_kw) if filter_kw else None
    return Coalesce(Sum(field, filter=flt), Value(ZERO), output_field=_MONEY)


def _line_subquery(path, aggregate, output_field=_MONEY):
    """One figure of the lines under the outer row (``path``: from a line to that row).

    A correlated subquery instead of a join + GROUP BY: a page of 100 objectives sums the
    lines of those 100 only, where the join summed every line of every row in scope before
    the LIMIT (2 s for a national auditor at 600 ambiti, whatever the page size).
    """
    lines = (
        BudgetLine.objects.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(figure=aggregate)
        .values("figure")
    )
    return Subquery(lines, output_field=output_field)


def _line_sum(path, field):
    return Coalesce(_line_subquery(path, Sum(field)), Value(ZERO), output_field=_MONEY)


def objectives_with_totals(queryset):
    """Annotate objectives with ``total_preventivo`` and ``total_consuntivo`` from their lines."""
    path = "action__objective"
    return queryset.annotate(
        total_preventivo=_line_sum(path, "preventivo"),
        total_consuntivo=_line_sum(path, "consuntivo"),
        # Count skips NULLs: 0 means no consuntivo has been entered yet.
        lines_with_consuntivo=Coalesce(
            _line_subquery(path, Count("consuntivo"), IntegerField()), Value(0),
            output_field=IntegerField(),
        ),
    )


def actions_with_totals(queryset):
    return queryset.annotate(
        total_preventivo=_line_sum("action", "preventivo"),
        total_consuntivo=_line_sum("action", "consuntivo"),
    )


def line_totals(queryset):
    """Preventivo and consuntivo sums of a queryset of budget lines (empty consuntivo counts 0)."""
    totals = queryset.aggregate(preventivo=_sum("preventivo"), consuntivo=_sum("consuntivo"))
    return {"preventivo": totals["preventivo"], "consuntivo": totals["consuntivo"]}


def plan_totals(*, plan):
    return line_totals(BudgetLine.objects.filter(action__objective__plan=plan))


def objective_totals(*, objective):
    return line_totals(BudgetLine.objects.filter(action__objective=objective))


def action_totals(*, action):
    return line_totals(BudgetLine.objects.filter(action=action))


def allocation_totals(*, ambito, year, stage):
    """Sums of a year's entrate by kind, with the budget and net totals the plans print."""
    kinds = FundingAllocation.Kind
    rows = FundingAllocation.objects.filter(ambito=ambito, year=year, stage=stage)
    agg = rows.aggregate(
        avanzo=_sum("amount", kind=kinds.SURPLUS),
        avanzo_restricted=_sum("amount", kind=kinds.SURPLUS, restricted=True),
        avanzo_unrestricted=_sum("amount", kind=kinds.SURPLUS, restricted=False),
        entrata=_sum("amount", kind=kinds.INCOME),
        non_applicata=_sum("amount", kind=kinds.NOT_APPLIED),
        all=_sum("amount"),
    )
    agg["budget"] = agg["avanzo"] + agg["entrata"]
    agg["net"] = agg["budget"] - agg["non_applicata"]
    return agg


def allocation_group_totals(*, ambito, year, stage):
    rows = (
        FundingAllocation.objects.filter(ambito=ambito, year=year, stage=stage)
        .values("group")
        .annotate(total=_sum("amount"))
        .order_by()
    )
    return {row["group"]: row["total"] for row in rows}


def surplus_totals(*, plan):
    # Aliases must not shadow the ``restricted`` field inside the aggregate.
    agg = Surplus.objects.filter(plan=plan).aggregate(
        sum_restricted=_sum("amount", restricted=True),
        sum_unrestricted=_sum("amount", restricted=False),
        sum_total=_sum("amount"),
    )
    return {key.removeprefix("sum_"): value for key, value in agg.items()}


# --- The year's funding ------------------------------------------------------------------
# A plan's entrate are the allocations of its ambito and year (as ``allocation_totals`` and
# the reconciliation's ``result:Y`` read them): avanzo + entrata − entrate non applicate.

_STAGES = FundingAllocation.Stage
_KINDS = FundingAllocation.Kind


def plan_allocations(*, plan, stage):
    return FundingAllocation.objects.filter(
        ambito_id=plan.zone_plan.ambito_id, year=plan.year, stage=stage
    )


def funding_stage(*, plan, prefer):
    """The stage of entrate to read: ``prefer`` where recorded, else the other one.

    Approval prefers the preventivo, closing the consuntivo (entrate accertate); the seeds
    record only one of the two for a year (2015 the preventivo, 2018 the consuntivo).
    """
    other = _STAGES.ACTUAL if prefer == _STAGES.PLANNED else _STAGES.PLANNED
    if plan_allocations(plan=plan, stage=prefer).exists():
        return prefer
    if plan_allocations(plan=plan, stage=other).exists():
        return other
    return prefer


def _net_amount():
    return Coalesce(
        Sum("amount", filter=Q(kind__in=[_KINDS.SURPLUS, _KINDS.INCOME])), Value(ZERO),
        output_field=_MONEY,
    ) - Coalesce(
        Sum("amount", filter=Q(kind=_KINDS.NOT_APPLIED)), Value(ZERO), output_field=_MONEY
    )


def surplus_stage(*, plan, stage):
    """The stage the year's carried avanzo is read at, whatever ``stage`` the other entrate are.

    The closing of year N−1 writes its avanzo into year N as preventivo entrate ("Avanzo
    gestionale N−1", kind avanzo): they count at ``stage`` when the avanzo is recorded there,
    else at the other stage, so that entering the entrate accertate of year N never drops
    the carried avanzo (and the two stages are never summed).
    """
    other = _STAGES.ACTUAL if stage == _STAGES.PLANNED else _STAGES.PLANNED
    if plan_allocations(plan=plan, stage=stage).filter(kind=_KINDS.SURPLUS).exists():
        return stage
    if plan_allocations(plan=plan, stage=other).filter(kind=_KINDS.SURPLUS).exists():
        return other
    return stage


def funded_allocations(*, plan, stage):
    """The allocations that make the year's entrate at ``stage``: the entrate of that stage
    and the carried avanzo (see ``surplus_stage``)."""
    return FundingAllocation.objects.filter(
        ambito_id=plan.zone_plan.ambito_id, year=plan.year,
    ).filter(
        (Q(stage=stage) & ~Q(kind=_KINDS.SURPLUS))
        | Q(stage=surplus_stage(plan=plan, stage=stage), kind=_KINDS.SURPLUS)
    )


def funding_by_channel(*, plan, stage):
    """Net entrate of the year per channel id (``None``: entrate that name no fund).

    The carried avanzo always counts (``funded_allocations``)."""
    rows = (
        funded_allocations(plan=plan, stage=stage)
        .values("channel_id")
        .annotate(net=_net_amount())
        .order_by()
    )
    return {row["channel_id"]: row["net"].quantize(ZERO) for row in rows}


def plan_funding(*, plan, prefer=_STAGES.PLANNED):
    """What the year's entrate bring against the plan's current preventivo."""
    stage = funding_stage(plan=plan, prefer=prefer)
    funding = sum(funding_by_channel(plan=plan, stage=stage).values(), ZERO)
    preventivo = plan_totals(plan=plan)["preventivo"]
    return {
        "stage": stage,
        "funding": funding,
        "preventivo": preventivo,
        "shortfall": max(preventivo - funding, ZERO),
    }


# --- Preventivo approvato and preventivo attuale ----------------------------------------
# Variations chain (each one starts from the figure the previous one left), so the approved
# figure is the current one minus the sum of the variations' differences.


def _variation_difference(**filter_kw):
    from .models import Variation

    agg = Variation.objects.filter(**filter_kw).aggregate(
        diff=Coalesce(
            Sum(F("new_amount") - F("previous_amount")), Value(ZERO), output_field=_MONEY
        )
    )
    return agg["diff"]


def lines_with_approved_preventivo(queryset, *, grouped=False):
    """Annotate budget lines with ``approved_preventivo`` (0 for lines added by variation).

    ``grouped=True`` (for queries over every line, the full CSV export): the variations
    summed once per line in a derived table LEFT JOINed (``core.derived.GroupedColumn``)
    instead of a subquery run for each line. Same values.
    """
    from .models import Variation

    if grouped:
        table = Variation._meta.db_table
        # The table name comes from the model: nothing from the user.
        derived = (f"SELECT line_id AS k, SUM(new_amount - previous_amount) AS v "  # noqa: S608
                   f"FROM {table} GROUP BY line_id")
        diff = GroupedColumn("pz_variations", derived, [], F("pk"), output_field=_MONEY)
        return queryset.annotate(
            approved_preventivo=F("preventivo")
            - Coalesce(diff, Value(ZERO), output_field=_MONEY)
        )
    diff = (
        Variation.objects.filter(line=OuterRef("pk"))
        .values("line")
        .annotate(diff=Sum(F("new_amount") - F("previous_amount")))
        .values("diff")
    )
    return queryset.annotate(
        approved_preventivo=F("preventivo")
        - Coalesce(Subquery(diff, output_field=_MONEY), Value(ZERO), output_field=_MONEY)
    )


def preventivo_versions(*, plan):
    """Preventivo approvato (None while the plan is a draft), attuale and their difference."""
    current = plan_totals(plan=plan)["preventivo"]
    if not plan.is_frozen:
        return {"approvato": None, "attuale": current, "variazioni": ZERO}
    diff = _variation_difference(plan=plan)
    return {"approvato": current - diff, "attuale": current, "variazioni": diff}


def objective_preventivo_versions(*, plan):
    """Per objective, in plan order: the objective, its approved and current preventivo."""
    from objectives.models import Objective

    from .models import Variation

    diffs = dict(
        Variation.objects.filter(plan=plan)
        .values("line__action__objective_id")
        .annotate(diff=Sum(F("new_amount") - F("previous_amount")))
        .values_list("line__action__objective_id", "diff")
        .order_by()
    )
    rows = []
    for objective in objectives_with_totals(Objective.objects.filter(plan=plan)).order_by(
        "number"
    ):
        diff = diffs.get(objective.pk, ZERO)
        rows.append({
            "objective": objective,
            "approvato": objective.total_preventivo - diff if plan.is_frozen else None,
            "attuale": objective.total_preventivo,
            "variazioni": diff,
        })
    return rows


# --- Overspending: flags for the dashboard and the reports ------------------------------


def overspent_lines(*, plan):
    """Lines whose consuntivo passes their preventivo, with ``excess``, in plan order."""
    return (
        BudgetLine.objects.filter(
            action__objective__plan=plan, consuntivo__gt=F("preventivo")
        )
        .select_related("action__objective", "channel")
        .annotate(excess=F("consuntivo") - F("preventivo"))
        .order_by("action__objective__number", "action__number", "position", "pk")
    )


@dataclass(frozen=True)
class ChannelPosition:
    """A fund's position in a plan: what it brings, what the plan commits and spends on it."""

    channel: object
    income_planned: Decimal
    income_actual: Decimal
    committed: Decimal
    spent: Decimal

    @property
    def over_committed(self):
        return self.committed > self.income_planned

    @property
    def over_spent(self):
        return self.spent > self.income_actual

    @property
    def flagged(self):
        return self.over_committed or self.over_spent


def channel_positions(*, plan):
    """Every fund the plan's lines draw on, with its entrate, impegni (preventivo) and spese.

    Impegni are compared with the entrate of the preventivo, spese with the entrate
    accertate (each falls back on the other stage when the year records only one).
    """
    from .models import FundingChannel

    planned = funding_by_channel(plan=plan, stage=funding_stage(plan=plan, prefer=_STAGES.PLANNED))
    actual = funding_by_channel(plan=plan, stage=funding_stage(plan=plan, prefer=_STAGES.ACTUAL))
    sums = (
        BudgetLine.objects.filter(action__objective__plan=plan, channel__isnull=False)
        .values("channel_id")
        .annotate(committed=_sum("preventivo"), spent=_sum("consuntivo"))
        .order_by()
    )
    by_channel = {row["channel_id"]: row for row in sums}
    channels = FundingChannel.objects.filter(pk__in=by_channel).order_by("code")
    return [
        ChannelPosition(
            channel=channel,
            income_planned=planned.get(channel.pk, ZERO),
            income_actual=actual.get(channel.pk, ZERO),
            committed=by_channel[channel.pk]["committed"],
            spent=by_channel[channel.pk]["spent"],
        )
        for channel in channels
    ]


def overspending_flags(*, plan):
    """What the dashboard and the reports flag: lines over their preventivo, funds over their
    entrate."""
    return {
        "lines": list(overspent_lines(plan=plan)),
        "channels": [p for p in channel_positions(plan=plan) if p.flagged],
    }


# --- Totals the API exposes next to the rows (the reports print the same figures) -------


def plans_with_totals(queryset):
    """Annotate operating plans with the totals of all their lines (as ``plan_totals``)."""
    path = "action__objective__plan"
    return queryset.annotate(
        total_preventivo=_line_sum(path, "preventivo"),
        total_consuntivo=_line_sum(path, "consuntivo"),
    )


def _allocation_figures(avanzo, entrata, non_applicata):
    budget = avanzo + entrata
    return {"avanzo": avanzo, "entrata": entrata, "non_applicata": non_applicata,
            "budget": budget, "net": budget - non_applicata}


def channel_totals(*, plan):
    """Per funding channel: the year's entrate by stage and the plan's budget lines it pays.

    Summed over the channels, the entrate give ``allocation_totals`` of the plan's year and
    the lines give ``plan_totals`` (allocations and lines without a channel form one row).
    """
    ambito_id = plan.zone_plan.ambito_id
    kinds = FundingAllocation.Kind
    allocations = (
        FundingAllocation.objects.filter(ambito_id=ambito_id, year=plan.year)
        .values("channel", "stage")
        .annotate(
            avanzo=_sum("amount", kind=kinds.SURPLUS),
            entrata=_sum("amount", kind=kinds.INCOME),
            non_applicata=_sum("amount", kind=kinds.NOT_APPLIED),
        )
        .order_by()
    )
    lines = (
        BudgetLine.objects.filter(action__objective__plan=plan)
        .values("channel")
        .annotate(preventivo=_sum("preventivo"), consuntivo=_sum("consuntivo"))
        .order_by()
    )
    channels = {
        row["id"]: row
        for row in FundingChannel.objects.filter(ambito_id=ambito_id).values(
            "id", "code", "name", "restricted"
        )
    }
    empty = _allocation_figures(ZERO, ZERO, ZERO)
    rows = {}

    def row_for(channel_id):
        if channel_id not in rows:
            channel = channels.get(channel_id, {})
            rows[channel_id] = {
                "channel": channel_id,
                "code": channel.get("code", ""),
                "name": channel.get("name", ""),
                # The name people know (FundingChannel.label); "" for lines without one.
                "label": FundingChannel.label_for(channel["code"], channel["name"])
                if channel else "",
                "restricted": channel.get("restricted"),
                "preventivo": dict(empty),
                "consuntivo": dict(empty),
                "lines": {"preventivo": ZERO, "consuntivo": ZERO},
            }
        return rows[channel_id]

    for item in allocations:
        row_for(item["channel"])[item["stage"]] = _allocation_figures(
            item["avanzo"], item["entrata"], item["non_applicata"]
        )
    for item in lines:
        row_for(item["channel"])["lines"] = {
            "preventivo": item["preventivo"], "consuntivo": item["consuntivo"]
        }
    # Channels in code order; what no channel pays for comes last.
    return sorted(rows.values(), key=lambda r: (r["channel"] is None, r["code"]))


def plan_overview(*, plan):
    """Every total of an operating plan the reports print: lines, entrate, channels, avanzo."""
    ambito_id = plan.zone_plan.ambito_id
    stages = FundingAllocation.Stage.values
    objectives = objectives_with_totals(plan.objectives.all()).order_by("number")
    return {
        "plan": plan_totals(plan=plan),
        "objectives": list(
            objectives.values("id", "number", "code", "short_title",
                              "total_preventivo", "total_consuntivo")
        ),
        "allocations": {
            stage: allocation_totals(ambito=ambito_id, year=plan.year, stage=stage)
            for stage in stages
        },
        "allocation_groups": {
            stage: [
                {"group": group, "total": total}
                for group, total in sorted(
                    allocation_group_totals(ambito=ambito_id, year=plan.year, stage=stage).items()
                )
            ]
            for stage in stages
        },
        "channels": channel_totals(plan=plan),
        "surplus": surplus_totals(plan=plan),
    }


# --- Printed reports: histories and breakdowns (reports) ----------------------


def allocations_by_year(*, ambito, kind=FundingAllocation.Kind.INCOME):
    """Entrate of every year entered, per stage and channel: the history the funds chart draws."""
    return list(
        FundingAllocation.objects.filter(ambito=ambito, kind=kind)
        .values("year", "stage", "channel__code", "channel__name")
        .annotate(total=_sum("amount"))
        .order_by("year", "stage", "channel__code")
    )


def agency_figures_by_year(*, ambito):
    """Ricavi and costi of the managing agency per year (all its organisations summed)."""
    from .models import AgencyYearFigure

    rows = (
        AgencyYearFigure.objects.filter(ambito=ambito)
        .values("year", "kind")
        .annotate(total=_sum("amount"))
        .order_by("year", "kind")
    )
    return [dict(row) for row in rows]


def surplus_by_objective(*, plan):
    """Avanzo vincolato / non vincolato per objective (``number`` None: not tied to one)."""
    rows = (
        Surplus.objects.filter(plan=plan)
        .values("objective__number", "objective__short_title", "objective__title")
        .annotate(
            sum_restricted=_sum("amount", restricted=True),
            sum_unrestricted=_sum("amount", restricted=False),
            sum_total=_sum("amount"),
        )
        .order_by("objective__number")
    )
    return [
        {
            "number": row["objective__number"],
            "title": row["objective__short_title"] or row["objective__title"] or "",
            "restricted": row["sum_restricted"],
            "unrestricted": row["sum_unrestricted"],
            "total": row["sum_total"],
        }
        for row in rows
    ]


def year_result(*, plan, stage=FundingAllocation.Stage.ACTUAL):
    """Entrate (avanzo + entrate) of the plan's year, uscite (its lines), and their difference."""
    income = allocation_totals(ambito=plan.zone_plan.ambito_id, year=plan.year, stage=stage)
    spent = plan_totals(plan=plan)[
        "consuntivo" if stage == FundingAllocation.Stage.ACTUAL else "preventivo"
    ]
    return {"income": income["budget"], "spent": spent, "result": income["budget"] - spent}
