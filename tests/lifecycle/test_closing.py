"""Year-end closing on a small plan: avanzo rows, the destination carried into next year's
entrate (each linked to its action), the next plan that exists or a new empty bozza."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budget.destination import destination_start
from budget.models import BudgetLine, FundingAllocation, FundingChannel, Surplus
from budget.services import budget_line_set_consuntivo, year_close
from budget.surplus import year_close_preview
from indicators.models import Indicator, Measurement
from objectives.models import Action, Objective, OperatingPlan, Referent
from objectives.services import plan_copy

from .conftest import approve, approve_destination, enter_consuntivo, make_deliberation

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


def _destined(plan, world):
    approve_destination(plan, world.user("staff_a"))
    return plan


def test_closing_records_the_avanzo_and_carries_its_destination(world, funded_plan):
    _destined(funded_plan, world)
    result = year_close(plan=funded_plan, user=world.user("staff_a"))
    funded_plan.refresh_from_db()
    assert funded_plan.state == "chiuso"
    # The computed avanzo rows stay, per objective and action (reports, API).
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
    # One entrata per row of the approved destination (here: the proposal as it was).
    carried = {
        (a.label, a.channel and a.channel.code, a.restricted, a.amount)
        for a in FundingAllocation.objects.filter(year=2031, ambito=world.a.ambito)
    }
    assert carried == {
        ("Avanzo gestionale 2030 - Buoni FNA", "FNA", True, D("10.00")),
        ("Avanzo gestionale 2030 - Entrate FNA non assegnate alle azioni", "FNA", True,
         D("10.00")),
        ("Avanzo gestionale 2030 - Avanzo non vincolato 2030", None, False, D("84.00")),
    }
    assert all(
        a.kind == "avanzo" and a.stage == "preventivo" and a.operating_plan == next_plan
        and a.destination_row is not None
        for a in FundingAllocation.objects.filter(year=2031)
    )


def test_closing_needs_an_approved_destination(world, funded_plan):
    with pytest.raises(ValidationError, match="destinazione dell'avanzo 2030 non è approvata"):
        year_close(plan=funded_plan, user=world.user("staff_a"))
    destination_start(plan=funded_plan, user=world.user("staff_a"))
    with pytest.raises(ValidationError, match="non è approvata"):
        year_close(plan=funded_plan, user=world.user("staff_a"))
    funded_plan.refresh_from_db()
    assert funded_plan.state == "approvato"
    assert not Surplus.objects.filter(plan=funded_plan).exists()
    assert not OperatingPlan.objects.filter(year=2031).exists()


def test_closing_twice_changes_nothing(world, funded_plan):
    _destined(funded_plan, world)
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


def test_the_closing_creates_an_empty_next_plan_and_copies_nothing(world, funded_plan):
    Measurement.objects.create(indicator=world.a[Indicator], period_end=date(2030, 6, 30),
                               value=D("3"))
    _destined(funded_plan, world)
    next_plan = year_close(plan=funded_plan, user=world.user("staff_a")).next_plan
    assert (next_plan.title, next_plan.state) == ("Piano Operativo 2031", "bozza")
    assert not next_plan.objectives.exists()
    assert not Referent.objects.filter(objective__plan=next_plan).exists()
    assert not BudgetLine.objects.filter(action__objective__plan=next_plan).exists()
    assert next_plan.history.first().history_change_reason == (
        "Creato vuoto dalla chiusura del PO 2030 alfa")


def test_an_existing_next_plan_receives_the_avanzo_linked_to_its_actions(world, funded_plan):
    existing = OperatingPlan.objects.create(zone_plan=funded_plan.zone_plan, year=2031,
                                            title="PO 2031 già impostato")
    objective = Objective.objects.create(plan=existing, number=1, title="Obiettivo 2031")
    target = Action.objects.create(objective=objective, number=1, title="Azione 2031")
    _destined(funded_plan, world)
    result = year_close(plan=funded_plan, user=world.user("staff_a"))
    assert result.next_plan == existing and not result.created_next_plan
    carried = FundingAllocation.objects.filter(operating_plan=existing, kind="avanzo")
    # Rows coming from Obiettivo 1 - Azione 1 go to the action with that number in 2031.
    assert {(a.label, a.action) for a in carried} == {
        ("Avanzo gestionale 2030 - Buoni FNA", target),
        ("Avanzo gestionale 2030 - Entrate FNA non assegnate alle azioni", target),
        ("Avanzo gestionale 2030 - Avanzo non vincolato 2030", None),
    }
    assert sum(carried.values_list("amount", flat=True), D(0)) == D("104.00")


def test_the_carried_avanzo_counts_in_the_next_closing_whatever_the_stage(world, funded_plan):
    """The 2030 avanzo enters 2031 as preventivo entrate; once entrate accertate of 2031
    exist, the 2031 closing still counts it (it used to read the consuntivo stage only)."""
    existing = OperatingPlan.objects.create(zone_plan=funded_plan.zone_plan, year=2031,
                                            title="PO 2031")
    objective = Objective.objects.create(plan=existing, number=1, title="Obiettivo 2031")
    action = Action.objects.create(objective=objective, number=1, title="Azione 2031")
    BudgetLine.objects.create(action=action, item="Servizio", preventivo=D("100.00"))
    _destined(funded_plan, world)
    year_close(plan=funded_plan, user=world.user("staff_a"))
    FundingAllocation.objects.create(
        ambito=world.a.ambito, operating_plan=existing, year=2031, stage="consuntivo",
        kind="entrata", channel=world.a[FundingChannel], label="FNPS 2031",
        amount=D("50.00"),
    )
    approve(existing, world, make_deliberation(world.a.ambito, number="31",
                                               when=date(2031, 3, 1)))
    budget_line_set_consuntivo(line=BudgetLine.objects.get(action=action), amount=D("90.25"),
                               user=world.user("staff_a"))
    preview = year_close_preview(plan=existing)
    # 50,00 accertate + 104,00 of carried avanzo − 90,25 spent.
    assert (preview.stage, preview.income, preview.spent) == (
        "consuntivo", D("154.00"), D("90.25"))
    assert preview.total == D("63.75") and not preview.errors


def test_closing_needs_every_consuntivo(world, plan_a):
    approve(plan_a, world)
    line = BudgetLine.objects.filter(action__objective__plan=plan_a).first()
    budget_line_set_consuntivo(line=line, amount=D("1.00"), user=world.user("staff_a"))
    with pytest.raises(ValidationError, match="Manca il consuntivo di 1 riga con preventivo"):
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
    _destined(funded_plan, world)
    with pytest.raises(ValidationError, match="I dati sono cambiati dopo l'anteprima"):
        year_close(plan=funded_plan, user=world.user("staff_a"), expected_total=seen)
    year_close(plan=funded_plan, user=world.user("staff_a"), expected_total=seen - 1)


def test_figures_changed_after_the_destination_are_refused(world, funded_plan):
    _destined(funded_plan, world)
    line = BudgetLine.objects.filter(action__objective__plan=funded_plan).first()
    budget_line_set_consuntivo(line=line, amount=D("9.00"), user=world.user("staff_a"))
    with pytest.raises(ValidationError, match="le superano di 1,00 €.*riaprire la destinazione"):
        year_close(plan=funded_plan, user=world.user("staff_a"))


def test_the_closing_act_is_recorded_when_given(world, funded_plan):
    _destined(funded_plan, world)
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
