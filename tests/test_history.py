from decimal import Decimal

from django.urls import reverse

from budget.models import BudgetLine


def test_admin_change_is_recorded_with_who_and_before_after(client, world):
    line = world.a[BudgetLine]
    client.force_login(world.user("staff_a"))
    client.post(
        reverse("admin:budget_budgetline_change", args=[line.pk]),
        {"action": line.action_id, "item": line.item, "note": "", "channel": "",
         "preventivo": "1.234,56", "consuntivo": "", "source_note": "", "position": 0},
    )
    latest, previous = line.history.all()[:2]
    assert latest.history_user == world.user("staff_a")
    assert latest.history_type == "~"
    delta = latest.diff_against(previous)
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert changes == {"preventivo": (Decimal("10.05"), Decimal("1234.56"))}


def test_history_view_is_scoped(client, world):
    line = world.a[BudgetLine]
    url = reverse("admin:budget_budgetline_history", args=[line.pk])
    client.force_login(world.user("auditor_a"))
    assert client.get(url).status_code == 200
    client.force_login(world.user("staff_b"))
    assert client.get(url).status_code != 200
