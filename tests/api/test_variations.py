"""Issue 8 × issue 6: the approved preventivo stays visible next to the current one."""

from decimal import Decimal

from budget.models import BudgetLine, Variation

from .conftest import client_for, detail_url, list_url


def test_line_shows_approved_and_current_preventivo(world):
    line = world.a[BudgetLine]
    variation = world.a[Variation]
    # As the variation service leaves it: the line carries the new amount.
    variation.previous_amount, variation.new_amount = Decimal("10.05"), Decimal("25.00")
    variation.save()
    BudgetLine.objects.filter(pk=line.pk).update(preventivo=Decimal("25.00"))
    client = client_for(world.user("auditor_a"))

    row = client.get(detail_url("budget-budgetline", line.pk)).json()
    assert (row["preventivo"], row["approved_preventivo"]) == ("25.00", "10.05")

    listed = client.get(list_url("budget-variation"), {"plan": variation.plan_id}).json()["results"]
    assert [(v["line"], v["previous_amount"], v["new_amount"], v["difference"])
            for v in listed] == [(line.pk, "10.05", "25.00", "14.95")]


def test_line_without_variations_is_approved_as_it_is(world):
    other = BudgetLine.objects.filter(action=world.a[BudgetLine].action).exclude(
        pk=world.a[BudgetLine].pk).get()
    row = client_for(world.user("auditor_a")).get(detail_url("budget-budgetline", other.pk)).json()
    assert row["approved_preventivo"] == row["preventivo"] == "10.05"
