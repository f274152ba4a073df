"""Piano di Zona 2019-2020 (Cremona): territory, demography, social spending, budget by fund."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from budget.selectors import allocation_group_totals, allocation_totals
from governance.models import Ambito, Municipality, MunicipalSpending, PopulationFigure
from objectives.models import Area, PolicyGoal, Section, ZonePlan

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ambito():
    return Ambito.objects.get(slug="cremona")


def _population(ambito, year, **flt):
    return PopulationFigure.objects.filter(
        municipality__ambito=ambito, year=year, **flt
    ).aggregate(t=Sum("value"))["t"]


def test_territory(ambito):
    assert ambito.ente_capofila.name == "Comune di Cremona"
    assert Municipality.objects.filter(ambito=ambito).count() == 47
    assert _population(ambito, 1999) == 153068
    assert _population(ambito, 2017) == 157415
    assert PopulationFigure.objects.get(
        municipality__ambito=ambito, municipality__name="Cremona", year=2017
    ).value == 72077


@pytest.mark.parametrize("size_class, y1999, y2017", [
    ("> 5.000", 91820, 93142), ("> 3.000", 16348, 17449), ("> 1.000", 35853, 38450),
    ("< 1.000", 9047, 8374),
])
def test_population_by_size_class(ambito, size_class, y1999, y2017):
    assert _population(ambito, 1999, municipality__size_class=size_class) == y1999
    assert _population(ambito, 2017, municipality__size_class=size_class) == y2017


@pytest.mark.parametrize("at, y1999, y2017", [
    ("AT 1", 11730, 12714), ("AT 2", 15562, 16067), ("AT 3", 18563, 20291),
    ("AT 4", 15278 + 2608, 16598 + 2300),  # printed as two "AT 4" subtotals
    ("AT 5", 17716, 17368), ("AT 6", 71611, 72077),
])
def test_population_by_aggregazione_territoriale(ambito, at, y1999, y2017):
    assert _population(ambito, 1999, municipality__sub_ambito__name=at) == y1999
    assert _population(ambito, 2017, municipality__sub_ambito__name=at) == y2017


@pytest.mark.parametrize("year, total", [(2013, "18696008"), (2014, "18515477"),
                                         (2015, "20391617")])
def test_social_spending(ambito, year, total):
    spent = MunicipalSpending.objects.filter(municipality__ambito=ambito, year=year)
    assert spent.aggregate(t=Sum("amount"))["t"] == D(total)
    cremona = spent.get(municipality__name="Cremona")
    assert cremona.amount == {2013: D("11923966"), 2014: D("11687058"),
                              2015: D("13495943")}[year]


def test_budget_by_fund(ambito):
    y2019 = allocation_totals(ambito=ambito, year=2019, stage="preventivo")
    y2020 = allocation_totals(ambito=ambito, year=2020, stage="preventivo")
    assert y2019["all"] == D("7090754.52")
    assert y2020["all"] == D("6489697.00")
    groups = allocation_group_totals(ambito=ambito, year=2019, stage="preventivo")
    assert groups == {
        "Risorse Statali e Regionali": D("2708027.04"),
        "Risorse Gestione Associata": D("3750000.00"),
        "Risorse Progettuali": D("632727.48"),
    }
    assert allocation_group_totals(ambito=ambito, year=2020, stage="preventivo") == {
        "Risorse Statali e Regionali": D("2599697.00"),
        "Risorse Gestione Associata": D("3850000.00"),
        "Risorse Progettuali": D("40000.00"),
    }


def test_plan_areas_goals_and_text(ambito):
    plan = ZonePlan.objects.get(ambito=ambito)
    assert (plan.start_year, plan.end_year) == (2019, 2020)
    assert Area.objects.filter(zone_plan=plan).count() == 11
    assert PolicyGoal.objects.filter(area__zone_plan=plan).count() == 109
    sections = Section.objects.filter(document__key="pdz-2019-2020-cremona")
    assert sections.count() == 96
    governance = sections.get(title="7. LA GOVERNANCE DEL PIANO DI ZONA")
    assert "Assemblea dei Sindaci" in governance.body
