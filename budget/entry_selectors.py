"""Reads of the budget pages: an objective's actions with their lines and totals."""

from django.db.models import Prefetch

from core.roles import VIEW
from objectives.models import Action

from .models import BudgetLine, FundingChannel
from .selectors import actions_with_totals, objective_totals


def objective_budget(*, objective, user):
    """The actions of ``objective`` the user sees, each with ``lines`` and its totals."""
    lines = BudgetLine.objects.select_related("channel").order_by("position", "pk")
    actions = (
        actions_with_totals(Action.objects.restrict(user, VIEW).filter(objective=objective))
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("number")
    )
    return {"actions": list(actions), "totals": objective_totals(objective=objective)}


def channels_of(*, plan):
    return list(
        FundingChannel.objects.filter(ambito_id=plan.zone_plan.ambito_id).order_by("code")
    )
