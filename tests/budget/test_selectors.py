from decimal import Decimal

from budget.models import BudgetLine
from budget.selectors import objective_totals, objectives_with_totals, plan_totals
from objectives.models import Objective


def test_totals_are_sums_of_lines_with_empty_consuntivo_as_zero(world):
    objective = world.a[Objective]
    line = world.a[BudgetLine]
    line.consuntivo = Decimal("3.10")
    line.save()
    totals = objective_totals(objective=objective)
    assert totals == {"preventivo": Decimal("20.10"), "consuntivo": Decimal("3.10")}
    assert plan_totals(plan=objective.plan) == totals
    annotated = objectives_with_totals(Objective.objects.filter(pk=objective.pk)).get()
    assert annotated.total_preventivo == Decimal("20.10")


def test_totals_follow_a_changed_line(world):
    objective = world.a[Objective]
    BudgetLine.objects.filter(pk=world.a[BudgetLine].pk).update(preventivo=Decimal("0.95"))
    assert objective_totals(objective=objective)["preventivo"] == Decimal("11.00")
