"""The Piano Operativo 2015 (seed) pulled through the API matches the document to the cent."""

from decimal import Decimal

import pytest

from budget import selectors
from core.roles import Role
from governance.models import Ambito, Membership
from objectives.models import OperatingPlan

from ..builders import make_user
from .conftest import client_for, detail_url, list_url

# Objective 7: the document prints 4930393.87, but its lines add up to 4989512.71.
OBJECTIVE_TOTALS = {
    1: "21000.00", 2: "12000.00", 3: "12543.47", 4: "644968.05", 5: "182615.30",
    6: "60137.46", 7: "4989512.71", 8: "100000.00", 9: "360323.16", 10: "453596.76",
}
ALLOCATIONS_2015_PREVENTIVO = {
    "avanzo": "1268924.24", "entrata": "5988653.83", "budget": "7257578.07",
    "non_applicata": "480000.00", "net": "6777578.07",
}


@pytest.fixture
def cremasco_auditor(db):
    user = make_user("revisore.test")
    Membership.objects.create(
        user=user, ambito=Ambito.objects.get(slug="cremasco"), role=Role.AUDITOR
    )
    return client_for(user)


@pytest.fixture
def plan_id(cremasco_auditor):
    plans = cremasco_auditor.get(
        list_url("objectives-operatingplan"), {"ambito": "cremasco", "year": 2015}
    ).json()["results"]
    assert len(plans) == 1
    return plans[0]["id"]


def test_objective_totals_match_the_document(cremasco_auditor, plan_id):
    rows = cremasco_auditor.get(
        list_url("objectives-objective"), {"plan": plan_id, "ordering": "number"}
    ).json()["results"]
    assert {row["number"]: row["totals"]["preventivo"] for row in rows} == OBJECTIVE_TOTALS
    overview = cremasco_auditor.get(detail_url("objectives-operatingplan", plan_id) + "totals/")
    objectives = overview.json()["objectives"]
    assert {row["number"]: row["preventivo"] for row in objectives} == OBJECTIVE_TOTALS


def test_funding_channel_totals_match_the_document(cremasco_auditor, plan_id):
    overview = cremasco_auditor.get(
        detail_url("objectives-operatingplan", plan_id) + "totals/"
    ).json()
    preventivo = overview["allocations"]["preventivo"]
    assert {key: preventivo[key] for key in ALLOCATIONS_2015_PREVENTIVO} == (
        ALLOCATIONS_2015_PREVENTIVO
    )
    # The per-channel rows add up to the same figures, and their lines to the plan's total.
    for key, expected in ALLOCATIONS_2015_PREVENTIVO.items():
        assert sum(Decimal(c["preventivo"][key]) for c in overview["channels"]) == Decimal(expected)
    lines = sum(Decimal(c["lines"]["preventivo"]) for c in overview["channels"])
    assert str(lines) == overview["plan"]["preventivo"] == str(sum(
        Decimal(v) for v in OBJECTIVE_TOTALS.values()
    ))
    fnps = next(c for c in overview["channels"] if c["code"] == "FNPS")
    assert fnps["preventivo"]["entrata"] == "635000.00"


def test_api_totals_are_the_selectors_totals(cremasco_auditor, plan_id):
    plan = OperatingPlan.objects.get(pk=plan_id)
    overview = cremasco_auditor.get(
        detail_url("objectives-operatingplan", plan_id) + "totals/"
    ).json()

    def decimals(figures):
        return {key: Decimal(value) for key, value in figures.items()}

    assert decimals(overview["plan"]) == selectors.plan_totals(plan=plan)
    expected = selectors.allocation_totals(
        ambito=plan.zone_plan.ambito, year=2015, stage="preventivo"
    )
    assert decimals(overview["allocations"]["preventivo"]) == expected
    assert decimals(overview["surplus"]) == selectors.surplus_totals(plan=plan)


def test_every_budget_line_of_2015_can_be_pulled(cremasco_auditor, plan_id):
    url, params = list_url("budget-budgetline"), {"ambito": "cremasco", "year": 2015}
    total, page = Decimal("0.00"), cremasco_auditor.get(url, {**params, "page_size": 50}).json()
    while True:
        total += sum(Decimal(row["preventivo"]) for row in page["results"])
        if not page["next"]:
            break
        page = cremasco_auditor.get(page["next"]).json()
    assert total == sum(Decimal(v) for v in OBJECTIVE_TOTALS.values())
