"""The database refuses what the documents never contain."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budget.models import BudgetLine, FundingAllocation
from indicators.models import Measurement, Milestone
from objectives.models import Action, Objective, OperatingPlan, ZonePlan


def _refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_objective_numbers_are_unique_per_plan(world):
    plan = world.a[Objective].plan
    _refused(lambda: Objective.objects.create(plan=plan, number=1, title="Doppio"))
    other_plan = world.b[Objective].plan
    assert Objective.objects.create(plan=other_plan, number=2, title="Altro piano")


def test_action_numbers_are_unique_per_objective(world):
    _refused(lambda: Action.objects.create(objective=world.a[Objective], number=1, title="Dup"))


def test_one_operating_plan_per_year(world):
    zp = world.a[ZonePlan]
    _refused(lambda: OperatingPlan.objects.create(zone_plan=zp, year=2030, title="Dup"))


def test_operating_plan_year_must_fall_in_the_zone_plan(world):
    plan = OperatingPlan(zone_plan=world.a[ZonePlan], year=2033, title="PO 2033")
    with pytest.raises(ValidationError) as exc:
        plan.clean()
    assert "fuori dal periodo" in str(exc.value)


def test_amounts_are_never_negative(world):
    action = world.a[Action]
    _refused(lambda: BudgetLine.objects.create(action=action, item="x", preventivo=Decimal("-1")))
    _refused(lambda: BudgetLine.objects.create(
        action=action, item="x", preventivo=Decimal("1"), consuntivo=Decimal("-0.01")))
    _refused(lambda: FundingAllocation.objects.create(
        ambito=world.a.ambito, year=2030, label="x", amount=Decimal("-5")))


def test_one_measurement_per_indicator_and_period(world):
    m = world.a[Measurement]
    _refused(lambda: Measurement.objects.create(
        indicator=m.indicator, period_end=m.period_end, value=Decimal("1")))


def test_nd_is_a_state_without_a_value(world):
    indicator = world.a[Measurement].indicator
    _refused(lambda: Measurement.objects.create(
        indicator=indicator, period_end=date(2030, 6, 30), state="nd", value=Decimal("3")))
    _refused(lambda: Measurement.objects.create(
        indicator=indicator, period_end=date(2030, 9, 30), state="value"))
    nd = Measurement.objects.create(indicator=indicator, period_end=date(2030, 12, 31), state="nd")
    assert nd.value is None


def test_milestone_has_a_date_or_a_periodicity_not_both(world):
    objective = world.a[Objective]
    _refused(lambda: Milestone.objects.create(
        objective=objective, title="x", due_date=date(2030, 1, 1), periodicity="trimestrale"))
