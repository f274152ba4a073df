"""Piano Operativo 2015 (cremasco): every figure of the document, to the cent."""

from decimal import Decimal

import pytest

from budget.models import BudgetLine, FundingAllocation
from budget.selectors import allocation_totals, objective_totals, plan_totals
from indicators.models import EvaluationCriterion, Indicator
from objectives.models import Action, Objective, OperatingPlan, Referent

pytestmark = pytest.mark.django_db

D = Decimal

# TOTALE OBIETTIVO N as printed in the RISORSE tables.
PRINTED_OBJECTIVE_TOTALS = {
    1: D("21000.00"), 2: D("12000.00"), 3: D("12543.47"), 4: D("644968.05"),
    5: D("182615.30"), 6: D("60137.46"), 7: D("4930393.87"), 8: D("100000.00"),
    9: D("360323.16"), 10: D("453596.76"),
}
# Objective 7's printed total leaves out Azione 29 (22.247,97 + 22.421,59 + 14.449,28).
TRUE_OBJECTIVE_7 = D("4930393.87") + D("22247.97") + D("22421.59") + D("14449.28")


@pytest.fixture
def plan():
    return OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2015)


def test_plan_shape(plan):
    assert plan.state == "approvato"
    assert plan.zone_plan.start_year == 2015 and plan.zone_plan.end_year == 2017
    assert Objective.objects.filter(plan=plan).count() == 10
    numbers = list(Action.objects.filter(objective__plan=plan).values_list("number", flat=True))
    assert sorted(numbers) == list(range(1, 38))  # Azione 1…37 across the whole plan
    assert BudgetLine.objects.filter(action__objective__plan=plan).count() == 116
    assert Referent.objects.filter(objective__plan=plan).count() == 38


@pytest.mark.parametrize("number", range(1, 11))
def test_objective_totals(plan, number):
    totals = objective_totals(objective=plan.objectives.get(number=number))
    expected = TRUE_OBJECTIVE_7 if number == 7 else PRINTED_OBJECTIVE_TOTALS[number]
    assert totals["preventivo"] == expected


def test_plan_total_is_the_sum_of_every_line(plan):
    assert plan_totals(plan=plan)["preventivo"] == D("6836696.91")


def test_funding_channels_table(plan):
    totals = allocation_totals(ambito=plan.ambito, year=2015, stage="preventivo")
    assert totals["avanzo"] == D("1268924.24")      # Totale Avanzo gestionale 2014
    assert totals["entrata"] == D("5988653.83")     # Totale Entrate 2015
    assert totals["budget"] == D("7257578.07")      # TOTALE BUDGET 2015
    assert totals["non_applicata"] == D("480000.00")  # Totale Entrate non applicate
    assert totals["net"] == D("6777578.07")         # TOTALE PO 2015


@pytest.mark.parametrize("label, amount", [
    ("FNPS2015", "635000.00"), ("FSOL 2015", "823175.00"), ("FSR 2015", "925562.00"),
    ("Comuni 2015", "2857738.28"), ("Comune di Crema", "1778.55"), ("Caritas", "500.00"),
    ("Welfare CARIPLO", "65000.00"), ("PTO", "9400.00"), ("Fondi ASL", "350000.00"),
    ("Avanzo gestionale 2014 - FNA", "455920.00"),
])
def test_allocation_lines(plan, label, amount):
    line = FundingAllocation.objects.get(ambito=plan.ambito, year=2015, label=label)
    assert line.amount == D(amount)


@pytest.mark.parametrize("objective, action, item, amount", [
    (1, 1, "Raccolta, analisi dei dati ed elaborazione", "15000.00"),
    (2, 3, "Gestione e sviluppo software", "4000.00"),
    (3, 5, "", "5479.11"),
    (10, 35, "Equipe Tutela Minori - Assistenti Sociali", "181507.59"),
    (10, 36, "Consulente legale", "5000.00"),
    (10, 37, "Supporto amministrativo alle attività", "7499.76"),
])
def test_budget_lines(plan, objective, action, item, amount):
    line = BudgetLine.objects.get(
        action__objective__plan=plan, action__objective__number=objective,
        action__number=action, item=item,
    )
    assert line.preventivo == D(amount)


def test_supplier_note_is_kept(plan):
    line = BudgetLine.objects.get(action__objective__plan=plan, action__number=3)
    assert line.note == "Ditta esterna KLAN"


def test_referents_and_evaluation(plan):
    first = plan.objectives.get(number=1)
    names = list(first.referents.values_list("name", flat=True))
    assert names == ["MARIA PIA VENTURELLI", "DANIELA BODINI", "CLAUDIO DAGHETI"]
    assert Indicator.objects.filter(objective=first).count() == 3
    assert EvaluationCriterion.objects.filter(objective=first).count() == 3
    assert first.triennial_goal.startswith("In pieno accordo con l")
