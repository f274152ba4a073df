"""Reads that compute totals: the one place pages, API and reports get their sums from."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from .models import BudgetLine, FundingAllocation, Surplus

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _sum(field, **filter_kw):
    flt = Q(**filter_kw) if filter_kw else None
    return Coalesce(Sum(field, filter=flt), Value(ZERO), output_field=_MONEY)


def objectives_with_totals(queryset):
    """Annotate objectives with ``total_preventivo`` and ``total_consuntivo`` from their lines."""
    return queryset.annotate(
        total_preventivo=_sum("actions__lines__preventivo"),
        total_consuntivo=_sum("actions__lines__consuntivo"),
        # Count skips NULLs: 0 means no consuntivo has been entered yet.
        lines_with_consuntivo=Count("actions__lines__consuntivo"),
    )


def actions_with_totals(queryset):
    return queryset.annotate(
        total_preventivo=_sum("lines__preventivo"),
        total_consuntivo=_sum("lines__consuntivo"),
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
