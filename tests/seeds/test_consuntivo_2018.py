"""Relazione Consuntivo 2018 (cremasco): preventivo vs consuntivo, entrate, avanzo, indicators."""

from datetime import date
from decimal import Decimal

import pytest

from budget.models import BudgetLine, Surplus
from budget.selectors import allocation_totals, objective_totals, plan_totals, surplus_totals
from indicators.models import Indicator, KpiValue, Measurement, Milestone
from objectives.models import Action, OperatingPlan

pytestmark = pytest.mark.django_db
D = Decimal

# RIEPILOGO PO 2018: (preventivo, consuntivo) per objective.
RIEPILOGO = {
    1: ("69043.57", "54560.27"), 2: ("686792.34", "533951.83"), 3: ("387722.60", "379990.40"),
    4: ("56367.54", "62530.75"), 5: ("6291679.73", "6078161.48"),
    6: ("1106140.06", "1100639.23"), 7: ("57471.21", "53925.31"), 8: ("430987.14", "352447.41"),
    9: ("26018.16", "0.00"), 10: ("875733.92", "467367.09"), 11: ("26750.00", "26750.00"),
    12: ("0.00", "0.00"), 13: ("0.00", "0.00"), 14: ("186780.23", "100837.13"),
    15: ("82968.63", "75274.75"),
}


@pytest.fixture
def plan():
    return OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)


def test_plan_shape(plan):
    assert plan.state == "chiuso"
    assert plan.action_numbering == "objective"
    assert plan.objectives.count() == 15
    assert Action.objects.filter(objective__plan=plan).count() == 46
    assert BudgetLine.objects.filter(action__objective__plan=plan).count() == 166
    assert Indicator.objects.filter(objective__plan=plan).count() == 164
    assert Measurement.objects.filter(indicator__objective__plan=plan).count() == 489
    assert Milestone.objects.filter(objective__plan=plan).count() == 68


@pytest.mark.parametrize("number", sorted(RIEPILOGO))
def test_objective_preventivo_and_consuntivo(plan, number):
    preventivo, consuntivo = RIEPILOGO[number]
    totals = objective_totals(objective=plan.objectives.get(number=number))
    assert totals == {"preventivo": D(preventivo), "consuntivo": D(consuntivo)}


def test_totale_po(plan):
    assert plan_totals(plan=plan) == {
        "preventivo": D("10284455.13"), "consuntivo": D("9286435.65"),
    }


def test_revenues_tab_4(plan):
    totals = allocation_totals(ambito=plan.ambito, year=2018, stage="consuntivo")
    assert totals["avanzo_restricted"] == D("502437.59")   # Totale avanzo vincolato 2017
    assert totals["avanzo_unrestricted"] == D("152825.64")  # Totale avanzo non vincolato 2017
    assert totals["avanzo"] == D("655263.23")              # Totale Avanzo gestionale 2017
    assert totals["entrata"] == D("9501032.92")            # Totale Entrate 2018
    assert totals["budget"] == D("10156296.15")            # A) TOTALE BUDGET
    # C = A - B) AVANZO GESTIONALE 2018
    assert totals["budget"] - plan_totals(plan=plan)["consuntivo"] == D("869860.50")


def test_surplus_tab_3_by_objective_and_action(plan):
    totals = surplus_totals(plan=plan)
    # The document prints AVANZO VINCOLATO 660.009,16: its 27 lines add up to 660.009,57.
    assert totals["restricted"] == D("660009.57")
    assert totals["unrestricted"] == D("209851.34")
    line = Surplus.objects.get(plan=plan, description="Accoglienza PON AS")
    assert (line.objective.number, line.action.number, line.amount) == (2, 3, D("24049.23"))
    residuo = Surplus.objects.get(plan=plan, description="Residuo FNA competenza 2019")
    assert residuo.action is None and residuo.amount == D("45473.96")


@pytest.mark.parametrize("name, period, state, value", [
    ("N° operatori profilati", date(2018, 6, 30), "value", "762"),
    ("N° operatori profilati", date(2018, 12, 31), "value", "856"),
    ("N° ore di servizio erogate ai comuni", date(2018, 6, 30), "nd", None),
    ("N° ore di servizio erogate ai comuni", date(2018, 12, 31), "value", "14753"),
    ("N° ore SAD erogate dall'01/01", date(2018, 6, 30), "value", "15580.25"),
    ("N° ore SAD erogate dall'01/01", date(2018, 12, 31), "value", "31814.62"),
    ("N° accessi al PUA", date(2018, 3, 31), "value", "182"),
    ("N° accessi al PUA", date(2018, 12, 31), "value", "1096"),
    ("% di AS assunte con contratto a TD su totale AS", date(2018, 12, 31), "value", "55"),
])
def test_indicator_values(plan, name, period, state, value):
    m = Measurement.objects.get(
        indicator__objective__plan=plan, indicator__name=name, period_end=period
    )
    assert m.state == state
    assert m.value == (None if value is None else D(value))


def test_dash_is_not_applicable_not_zero(plan):
    m = Measurement.objects.get(
        indicator__objective__plan=plan,
        indicator__name__startswith="N° giorni di attesa per presa in carico al 31/12/2018",
        period_end=date(2018, 6, 30),
    )
    assert m.state == "not_applicable" and m.value is None


@pytest.mark.parametrize("title, due, periodicity, achieved", [
    ("Ottenimento premialità regionale per obiettivo 3", date(2018, 3, 31), "", "si"),
    ("Riduzione 20% tasso di turn-over AS", date(2018, 12, 31), "", "no"),
    ("Incontri periodici di confronto e verifica con SSD nei Sub-Ambiti", None, "semestrale", "no"),
])
def test_milestones(plan, title, due, periodicity, achieved):
    ms = Milestone.objects.get(objective__plan=plan, title=title)
    assert (ms.due_date, ms.periodicity, ms.achieved) == (due, periodicity, achieved)


def test_kpi_table(plan):
    values = dict(
        KpiValue.objects.filter(kpi__ambito=plan.ambito, kpi__name="Spesa sociale pro-capite")
        .values_list("year", "value")
    )
    assert values == {2016: D("104.54"), 2017: D("111.43"), 2018: D("114.84")}
