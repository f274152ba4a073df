"""Year-end closing on a small plan: avanzo rows, next year's entrate, the copied plan."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budget.models import BudgetLine, FundingAllocation, FundingChannel, Surplus
from budget.services import budget_line_set_consuntivo, year_close
from budget.surplus import year_close_preview
from indicators.models import Indicator, Measurement
from objectives.models import Action, Objective, OperatingPlan, Referent
from objectives.services import plan_copy

from .conftest import approve, enter_consuntivo, make_deliberation

D = Decimal


@pytest.fixture
def funded_plan(world, plan_a):
    """Plan A with a restricted fund next to the unrestricted FNPS entrata of the builder.

    Lines: two of 10,05 with no fund (fondo indistinto), one of 50,00 on FNA (vincolato).
    Entrate accertate: FNPS 100,00, FNA 60,00.
    """
    fna = FundingChannel.objects.create(ambito=world.a.ambito, code="FNA", name="FNA",
                                        restricted=True)
    action = world.a[Action]
    BudgetLine.objects.create(action=action, item="Buoni FNA", channel=fna,
                              preventivo=D("50.00"), position=5)
    for channel, amount in ((world.a[FundingChannel], "100.00"), (fna, "60.00")):
        FundingAllocation.objects.create(
            ambito=world.a.ambito, operating_plan=plan_a, year=2030, stage="consuntivo",
            kind="entrata", channel=channel, restricted=channel.restricted,
            label=f"{channel.code} 2030", amount=D(amount),
        )
    approve(plan_a, world)
    for line in BudgetLine.objects.filter(action__objective__plan=plan_a):
        spent = D("40.00") if line.channel_id else D("8.00")
        budget_line_set_consuntivo(line=line, amount=spent, user=world.user("staff_a"))
    return plan_a


def test_preview_splits_the_avanzo_by_fund(funded_plan):
    preview = year_close_preview(plan=funded_plan)
    assert (preview.income, preview.spent, preview.total) == (D("160.00"), D("56.00"),
                                                              D("104.00"))
    # FNA: 60,00 in − 40,00 spent; its line saved 10,00 and 10,00 came in unassigned.
    assert preview.restricted == D("20.00")
    assert preview.unrestricted == D("84.00")
    rows = {(r.description, r.restricted, r.amount) for r in preview.rows}
    assert rows == {
        ("Buoni FNA", True, D("10.00")),
        ("Entrate FNA non assegnate alle azioni", True, D("10.00")),
        ("Avanzo non vincolato 2030", False, D("84.00")),
    }
    assert sum((r.amount for r in preview.rows), D(0)) == preview.total
    action = preview.actions[0]
    assert (action.restricted, action.unrestricted) == (D("10.00"), D("4.10"))


def test_closing_records_the_avanzo_and_carries_it_into_next_year(world, funded_plan):
    result = year_close(plan=funded_plan, user=world.user("staff_a"))
    funded_plan.refresh_from_db()
    assert funded_plan.state == "chiuso"
    stored = {(s.description, s.restricted, s.amount, s.channel and s.channel.code)
              for s in Surplus.objects.filter(plan=funded_plan)}
    assert stored == {
        ("Buoni FNA", True, D("10.00"), "FNA"),
        ("Entrate FNA non assegnate alle azioni", True, D("10.00"), "FNA"),
        ("Avanzo non vincolato 2030", False, D("84.00"), None),
    }
    line_row = Surplus.objects.get(plan=funded_plan, description="Buoni FNA")
    assert (line_row.objective, line_row.action) == (world.a[Objective], world.a[Action])

    next_plan = result.next_plan
    assert result.created_next_plan
    assert (next_plan.year, next_plan.state, next_plan.zone_plan) == (
        2031, "bozza", funded_plan.zone_plan)
    carried = {
        (a.label, a.channel and a.channel.code, a.restricted, a.amount)
        for a in FundingAllocation.objects.filter(year=2031, ambito=world.a.ambito)
    }
    assert carried == {
        ("Avanzo gestionale 2030 - FNA", "FNA", True, D("20.00")),
        ("Avanzo gestionale 2030 non vincolato", None, False, D("84.00")),
    }
    assert all(
        a.kind == "avanzo" and a.stage == "preventivo" and a.operating_plan == next_plan
        for a in FundingAllocation.objects.filter(year=2031)
    )


def test_closing_twice_changes_nothing(world, funded_plan):
    year_close(plan=funded_plan, user=world.user("staff_a"))

    def snapshot():
        return (
            list(Surplus.objects.order_by("pk").values_list("pk", "amount")),
            list(FundingAllocation.objects.order_by("pk").values_list("pk", "amount")),
            OperatingPlan.objects.count(), Objective.objects.count(),
            BudgetLine.objects.count(), OperatingPlan.history.count(),
            Surplus.history.count(),
        )

    before = snapshot()
    again = year_close(plan=funded_plan, user=world.user("staff_a"))
    assert again.already_closed and again.next_plan.year == 2031
    assert snapshot() == before


def test_the_next_plan_is_a_copy_with_empty_amounts(world, funded_plan):
    Measurement.objects.create(indicator=world.a[Indicator], period_end=date(2030, 6, 30),
                               value=D("3"))
    next_plan = year_close(plan=funded_plan, user=world.user("staff_a")).next_plan
    old, new = world.a[Objective], next_plan.objectives.get()
    assert (new.number, new.title, new.area) == (old.number, old.title, old.area)
    assert list(new.actions.values_list("number", "title")) == [(1, world.a[Action].title)]
    assert list(Referent.objects.filter(objective=new).values_list("name", "user")) == [
        (world.a[Referent].name, world.user("referent_a").pk)
    ]
    indicator = Indicator.objects.get(objective=new)
    assert (indicator.name, indicator.action.number) == (world.a[Indicator].name, 1)
    assert not indicator.measurements.exists()
    lines = BudgetLine.objects.filter(action__objective=new).order_by("position")
    assert [(line.item, line.preventivo, line.consuntivo) for line in lines] == [
        ("Voce 0", D("0.00"), None), ("Voce 1", D("0.00"), None),
        ("Buoni FNA", D("0.00"), None),
    ]
    assert lines.last().channel.code == "FNA"
    assert next_plan.history.first().history_change_reason == "Creato dal PO 2030 alfa"


def test_an_existing_next_plan_receives_the_avanzo(world, funded_plan):
    existing = OperatingPlan.objects.create(zone_plan=funded_plan.zone_plan, year=2031,
                                            title="PO 2031 già impostato")
    result = year_close(plan=funded_plan, user=world.user("staff_a"))
    assert result.next_plan == existing and not result.created_next_plan
    assert not existing.objectives.exists()
    assert FundingAllocation.objects.filter(operating_plan=existing, kind="avanzo").count() == 2


def test_closing_needs_every_consuntivo(world, plan_a):
    approve(plan_a, world)
    line = BudgetLine.objects.filter(action__objective__plan=plan_a).first()
    budget_line_set_consuntivo(line=line, amount=D("1.00"), user=world.user("staff_a"))
    with pytest.raises(ValidationError, match="Manca il consuntivo di 1 righe"):
        year_close(plan=plan_a, user=world.user("staff_a"))
    plan_a.refresh_from_db()
    assert plan_a.state == "approvato" and not Surplus.objects.filter(plan=plan_a).exists()


def test_a_disavanzo_is_refused(world, plan_a):
    approve(plan_a, world)
    enter_consuntivo(plan_a, world, amount=D("60.00"))  # 120,00 spent against 100,00 in
    preview = year_close_preview(plan=plan_a)
    assert preview.unrestricted == D("-20.00")
    with pytest.raises(ValidationError, match="disavanzo di 20,00 €"):
        year_close(plan=plan_a, user=world.user("staff_a"))


def test_figures_changed_after_the_preview_are_refused(world, funded_plan):
    seen = year_close_preview(plan=funded_plan).total
    line = BudgetLine.objects.filter(action__objective__plan=funded_plan).first()
    budget_line_set_consuntivo(line=line, amount=D("9.00"), user=world.user("staff_a"))
    with pytest.raises(ValidationError, match="I dati sono cambiati dopo l'anteprima"):
        year_close(plan=funded_plan, user=world.user("staff_a"), expected_total=seen)
    year_close(plan=funded_plan, user=world.user("staff_a"), expected_total=seen - 1)


def test_the_closing_act_is_recorded_when_given(world, funded_plan):
    wrong = make_deliberation(world.a.ambito, number="20")  # approves an operating plan
    with pytest.raises(ValidationError, match="non «Consuntivo»"):
        year_close(plan=funded_plan, user=world.user("staff_a"), deliberation=wrong)
    act = make_deliberation(world.a.ambito, number="21", approves="consuntivo")
    year_close(plan=funded_plan, user=world.user("staff_a"), deliberation=act)
    funded_plan.refresh_from_db()
    assert funded_plan.closing == act


def test_restricted_fund_in_deficit_is_covered_by_the_fondo_indistinto(world, funded_plan):
    line = BudgetLine.objects.get(action__objective__plan=funded_plan, channel__code="FNA")
    budget_line_set_consuntivo(line=line, amount=D("75.00"), user=world.user("staff_a"))
    preview = year_close_preview(plan=funded_plan)
    # FNA: 60,00 in, 75,00 spent → no avanzo vincolato, 15,00 charged to the pool.
    assert preview.restricted == D("0.00")
    assert preview.unrestricted == preview.total == D("69.00")
    assert any("maggiori spese (15,00 €)" in w for w in preview.warnings)
    assert [r.description for r in preview.rows] == ["Avanzo non vincolato 2030"]


def test_copy_refuses_a_year_outside_every_zone_plan(world, plan_a):
    with pytest.raises(ValidationError, match="Nessun Piano di Zona"):
        plan_copy(source=plan_a, year=2040)
    with pytest.raises(ValidationError, match="Esiste già"):
        plan_copy(source=plan_a, year=2030)
