"""Fixtures of the data-entry pages: the two-ambiti world plus URLs and form posts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.entry_services import line_token
from budget.models import BudgetLine, FundingChannel
from core.numbers import format_decimal
from indicators.models import Indicator, Measurement, Milestone
from indicators.services import measurement_token, milestone_token
from objectives.models import Action, Objective, OperatingPlan

ROLES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a", "anonymous"]


@pytest.fixture
def entry(world):
    """Ambito A's objects, with a second objective the referente does not answer for."""
    a = world.a
    plan = a[OperatingPlan]
    other = Objective.objects.create(plan=plan, number=2, title="Obiettivo altrui")
    other_action = Action.objects.create(objective=other, number=2, title="Azione altrui")
    other_indicator = Indicator.objects.create(objective=other, name="Indicatore altrui")
    Milestone.objects.filter(pk=a[Milestone].pk).update(due_date=date(plan.year, 3, 15))
    return {
        "plan": plan,
        "objective": a[Objective],
        "action": a[Action],
        "line": a[BudgetLine],
        "channel": a[FundingChannel],
        "indicator": a[Indicator],
        "measurement": a[Measurement],
        "milestone": Milestone.objects.get(pk=a[Milestone].pk),
        "other_objective": other,
        "other_action": other_action,
        "other_indicator": other_indicator,
        "period_q1": date(plan.year, 3, 31),
        "period_q2": date(plan.year, 6, 30),
    }


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def budget_post(objective, *, edits=None, new_rows=None):
    """The POST of the budget grid as the page renders it, with ``edits`` {line_pk: fields}."""
    edits = edits or {}
    rows = []
    for action in objective.actions.order_by("number"):
        for line in action.lines.order_by("position", "pk"):
            row = {
                "line_id": line.pk, "action": action.pk, "token": line_token(line),
                "item": line.item, "note": line.note, "channel": line.channel_id or "",
                "preventivo": format_decimal(line.preventivo),
                "consuntivo": format_decimal(line.consuntivo) if line.consuntivo else "",
            }
            row.update(edits.get(line.pk, {}))
            rows.append(row)
        rows.append({"line_id": "", "action": action.pk, "token": "", "item": "", "note": "",
                     "channel": "", "preventivo": "", "consuntivo": ""})
    for new in new_rows or []:
        rows.append({"line_id": "", "token": "", "note": "", "channel": "", "consuntivo": "",
                     **new})
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows) - len(new_rows or []),
            "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if key == "DELETE":
                if value:
                    data[f"form-{i}-DELETE"] = "on"
                continue
            data[f"form-{i}-{key}"] = "" if value is None else value
    return data


def quarter_post(indicators, milestones, period_end, *, values=None, outcomes=None):
    """The POST of the quarterly page; ``values`` {indicator: (state, value, note)}."""
    values = values or {}
    outcomes = outcomes or {}
    data = {}
    for indicator in indicators:
        current = Measurement.objects.filter(indicator=indicator, period_end=period_end).first()
        state, value, note = values.get(indicator, (
            current.state if current else "value",
            format_decimal(current.value, places=0) if current and current.value is not None
            else "",
            current.note if current else "",
        ))
        data[f"m-{indicator.pk}-token"] = measurement_token(current)
        data[f"m-{indicator.pk}-state"] = state
        data[f"m-{indicator.pk}-value"] = value
        data[f"m-{indicator.pk}-note"] = note
    for milestone in milestones:
        achieved, note = outcomes.get(milestone, (milestone.achieved, milestone.note))
        data[f"t-{milestone.pk}-token"] = milestone_token(milestone)
        data[f"t-{milestone.pk}-achieved"] = achieved
        data[f"t-{milestone.pk}-note"] = note
    return data


def urls(entry):
    plan, objective = entry["plan"], entry["objective"]
    return {
        "plan_list": reverse("objectives:plan_list"),
        "plan_detail": reverse("objectives:plan_detail", args=[plan.pk]),
        "dashboard": reverse("objectives:dashboard", args=[plan.pk]),
        "objective_detail": reverse("objectives:objective_detail", args=[objective.pk]),
        "budget": reverse("budget:entry", args=[objective.pk]),
        "budget_import": reverse("budget:import", args=[objective.pk]),
        "budget_export": reverse("budget:export", args=[objective.pk, "xlsx"]),
        "quarter": reverse("indicators:quarter", args=[plan.pk, 1]),
        "quarter_import": reverse("indicators:import", args=[plan.pk, 1]),
        "quarter_export": reverse("indicators:export", args=[plan.pk, 1, "csv"]),
    }


MONEY = Decimal
