"""New plan from last year (objectives.services.plan_create_from): what is carried, amounts
to the cent, dates moved to the new year, refusals, constant queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from budget.models import BudgetLine, FundingChannel
from core.roles import Role
from indicators.models import EvaluationCriterion, Indicator, Milestone
from objectives.models import Action, Objective, OperatingPlan, Referent
from objectives.services import (
    Amounts,
    Carry,
    _shift_year,
    objectives_mentioning_year,
    plan_carry_summary,
    plan_copy,
    plan_create_from,
)

from ..builders import build_ambito, make_user

D = Decimal


@pytest.fixture
def po2018(db):
    return OperatingPlan.objects.select_related("zone_plan__ambito").get(
        zone_plan__ambito__slug="cremasco", year=2018
    )


@pytest.fixture
def staff(po2018):
    return make_user("ufficio.carry", ambito=po2018.zone_plan.ambito, role=Role.STAFF)


def lines(plan):
    return BudgetLine.objects.filter(action__objective__plan=plan)


def structure(plan):
    """Objective and action numbers, titles and voci: what must survive the copy."""
    return (
        sorted(Objective.objects.filter(plan=plan).values_list("number", "code", "title")),
        sorted(Action.objects.filter(objective__plan=plan)
               .values_list("objective__number", "number", "title")),
        sorted(lines(plan).values_list("action__objective__number", "action__number", "item",
                                       "note", "channel_id", "position")),
    )


def test_po_2019_from_po_2018_with_preventivi_carries_everything(po2018, staff):
    plan = plan_create_from(source=po2018, year=2019, user=staff)
    assert plan.year == 2019 and plan.state == "bozza" and plan.title == "Piano Operativo 2019"
    assert plan.zone_plan == po2018.zone_plan  # Piano di Zona 2018-2020
    assert plan.action_numbering == po2018.action_numbering
    assert structure(plan) == structure(po2018)  # numbering kept, 15 objectives, 166 lines
    assert lines(plan).count() == 166
    total = lines(plan).aggregate(t=Sum("preventivo"))["t"]
    assert total == lines(po2018).aggregate(t=Sum("preventivo"))["t"] == D("10284455.13")
    assert not lines(plan).filter(consuntivo__isnull=False).exists()
    assert Indicator.objects.filter(objective__plan=plan).count() == 164
    assert list(Indicator.objects.filter(objective__plan=plan).order_by("objective__number",
                "position", "pk").values_list("name", "target", "periodicity", "kind")) == list(
        Indicator.objects.filter(objective__plan=po2018).order_by("objective__number",
                "position", "pk").values_list("name", "target", "periodicity", "kind"))
    milestones = Milestone.objects.filter(objective__plan=plan)
    assert milestones.count() == 68
    assert not milestones.exclude(achieved="").exists()  # last year's outcome stays behind
    dated = milestones.exclude(due_date=None)
    old_dates = Milestone.objects.filter(objective__plan=po2018).exclude(due_date=None)
    assert sorted(dated.values_list("due_date", flat=True)) == sorted(
        d.replace(year=d.year + 1) for d in old_dates.values_list("due_date", flat=True))
    assert dated.filter(due_date=date(2019, 3, 31)).count() == Milestone.objects.filter(
        objective__plan=po2018, due_date=date(2018, 3, 31)).count() > 0
    assert sorted(milestones.exclude(periodicity="").values_list("periodicity", flat=True)) == \
        sorted(Milestone.objects.filter(objective__plan=po2018).exclude(periodicity="")
               .values_list("periodicity", flat=True))
    record = plan.history.first()
    assert record.history_user == staff and record.history_change_reason.startswith("Creato dal")
    line = lines(plan).first()
    assert line.history.first().history_user == staff
    po2018.refresh_from_db()
    assert po2018.state == "chiuso" and lines(po2018).count() == 166  # the source is untouched


def test_consuntivo_option_equals_last_years_consuntivo(po2018, staff):
    plan = plan_create_from(source=po2018, year=2019, user=staff,
                            carry=Carry(amounts=Amounts.CONSUNTIVO))
    assert lines(plan).aggregate(t=Sum("preventivo"))["t"] == D("9286435.65") == \
        lines(po2018).aggregate(t=Sum("consuntivo"))["t"]


def test_no_amount_option_and_choices_left_out(po2018, staff):
    carry = Carry(referents=False, indicators=False, milestones=False, amounts=Amounts.NONE)
    plan = plan_create_from(source=po2018, year=2019, user=staff, carry=carry)
    assert lines(plan).count() == 166
    assert lines(plan).aggregate(t=Sum("preventivo"))["t"] == D("0.00")
    assert not Indicator.objects.filter(objective__plan=plan).exists()
    assert not Milestone.objects.filter(objective__plan=plan).exists()


def test_without_objectives_the_plan_is_empty(po2018, staff):
    plan = plan_create_from(source=po2018, year=2019, user=staff, carry=Carry(objectives=False))
    assert plan.state == "bozza" and not plan.objectives.exists()


def test_referenti_and_ranges_are_carried(db):
    alfa = build_ambito("alfa")
    source = alfa[OperatingPlan]
    user = make_user("u", ambito=alfa.ambito, role=Role.STAFF)
    referent = alfa[Referent]
    referent.user = user
    referent.organisation_label = "per il Comune"
    referent.save()
    plan = plan_create_from(source=source, year=2031, user=user)
    carried = Referent.objects.get(objective__plan=plan)
    assert (carried.name, carried.user, carried.organisation_label) == (
        referent.name, user, "per il Comune")
    assert list(EvaluationCriterion.objects.filter(objective__plan=plan)
                .values_list("text", flat=True)) == ["50%"]
    indicator = Indicator.objects.get(objective__plan=plan)
    assert indicator.action.objective.plan == plan and not indicator.measurements.exists()
    summary = plan_carry_summary(source=source, carry=Carry())
    assert summary["counts"]["referents"] == 1 and summary["counts"]["ranges"] == 1
    assert summary["total"] == D("20.10")


def test_summary_matches_what_is_created(po2018, staff):
    carry = Carry(amounts=Amounts.CONSUNTIVO)
    summary = plan_carry_summary(source=po2018, carry=carry)
    assert summary["counts"] == {"objectives": 15, "actions": 46, "referents": 0,
                                 "indicators": 164, "ranges": 0, "milestones": 68,
                                 "budget": 166}
    assert summary["total"] == D("9286435.65")
    none = plan_carry_summary(source=po2018, carry=Carry(budget=False, milestones=False))
    assert none["counts"]["budget"] == 0 and none["counts"]["milestones"] == 0
    assert none["total"] == D("0.00")


def test_29_february_is_safe():
    assert _shift_year(date(2020, 2, 29), 1) == date(2021, 2, 28)
    assert _shift_year(date(2018, 3, 31), 1) == date(2019, 3, 31)
    assert _shift_year(None, 1) is None


def test_texts_naming_the_old_year_are_listed_for_review(po2018, staff):
    plan = plan_create_from(source=po2018, year=2019, user=staff)
    review = objectives_mentioning_year(plan=plan, year=2018)
    numbers = [objective.number for objective, _ in review]
    assert numbers == [1, 2, 3, 5]  # indicators "al 31/12/2018", "attivi nel 2018"
    assert all(o.plan_id == plan.pk for o, _ in review)
    assert review[0][1] == ["indicatori"]
    objective = Objective.objects.get(plan=plan, number=4)
    objective.timing = "Da settembre a dicembre 2018"
    objective.activities = ["Avvio nel 2018", "20180 non è un anno"]
    objective.save()
    review = dict(objectives_mentioning_year(plan=plan, year=2018))
    assert [o.number for o in review] == [1, 2, 3, 4, 5]
    assert review[objective] == ["testo dell'obiettivo"]
    assert objectives_mentioning_year(plan=plan, year=2017) == []


def test_refusals_in_italian_and_nothing_created(po2018, staff):
    before = OperatingPlan.objects.count()
    with pytest.raises(ValidationError, match="Esiste già il Piano Operativo 2018"):
        plan_create_from(source=po2018, year=2018, user=staff)
    with pytest.raises(ValidationError, match="Nessun Piano di Zona .* copre il 2021"):
        plan_create_from(source=po2018, year=2021, user=staff)
    other = build_ambito("beta")
    outsider = make_user("staff.beta", ambito=other.ambito, role=Role.STAFF)
    assembly = make_user("sindaco", ambito=po2018.zone_plan.ambito, role=Role.ASSEMBLY)
    for user in (outsider, assembly):
        with pytest.raises(PermissionDenied, match="Non hai i permessi per creare"):
            plan_create_from(source=po2018, year=2019, user=user)
    assert OperatingPlan.objects.count() == before + 1  # only beta's own plan


def test_plan_copy_keeps_the_closing_behaviour(po2018):
    plan = plan_copy(source=po2018, year=2019)
    assert lines(plan).count() == 166
    assert lines(plan).aggregate(t=Sum("preventivo"))["t"] == D("0.00")
    assert not Milestone.objects.filter(objective__plan=plan).exists()


def _bigger_plan(po2018):
    """A plan twice the size of PO 2018 in every kind PO 2018 has (it has no referenti and
    no ranges, so neither has this one: the same kinds, more rows)."""
    ambito = po2018.zone_plan.ambito
    zone = po2018.zone_plan
    plan = OperatingPlan.objects.create(zone_plan=zone, year=2020, title="PO grande",
                                        action_numbering=po2018.action_numbering)
    channel = FundingChannel.objects.filter(ambito=ambito).first()
    for number in range(1, 31):
        objective = Objective.objects.create(plan=plan, number=number, title=f"Obiettivo {number}")
        for a in range(1, 4):
            action = Action.objects.create(objective=objective, number=a, title=f"Azione {a}")
            BudgetLine.objects.bulk_create([
                BudgetLine(action=action, item=f"Voce {n}", channel=channel,
                           preventivo=D("1.01"), position=n) for n in range(4)
            ])
        Indicator.objects.bulk_create([
            Indicator(objective=objective, name=f"Indicatore {n}") for n in range(11)
        ])
        Milestone.objects.bulk_create([
            Milestone(objective=objective, title=f"Traguardo {n}", due_date=date(2020, 2, 29))
            for n in range(5)
        ])
    return plan


def test_query_count_does_not_grow_with_the_plan(po2018, staff):
    def fresh_staff():
        return type(staff).objects.get(pk=staff.pk)  # no role cache from the previous call

    with CaptureQueriesContext(connection) as small:
        first = plan_create_from(source=po2018, year=2019, user=fresh_staff())
    first.delete()
    big = _bigger_plan(po2018)  # PO 2020, same Piano di Zona 2018-2020
    assert lines(big).count() == 360 > 166
    with CaptureQueriesContext(connection) as large:
        new = plan_create_from(source=big, year=2019, user=fresh_staff())
    assert lines(new).count() == 360
    assert Milestone.objects.filter(objective__plan=new, due_date=date(2019, 2, 28)).count() == 150

    def shape(queries):
        # SQLite splits a bulk INSERT by its bound-variable limit: batches, not rows.
        return [q["sql"].split(" ", 1)[0] for q in queries if not q["sql"].startswith("INSERT")]

    assert shape(large.captured_queries) == shape(small.captured_queries)
    inserts = [q for q in large.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) <= 30  # a few batches per kind, never one per row
    if connection.vendor == "postgresql":
        assert len(large.captured_queries) == len(small.captured_queries)


def test_a_closing_s_empty_bozza_is_filled_not_refused(po2018, staff):
    """Closing 2018 before PO 2019 exists leaves an empty bozza holding the avanzo entrate:
    "new plan from last year" builds PO 2019 into it, entrate kept."""
    from budget.models import FundingAllocation

    shell = OperatingPlan.objects.create(
        zone_plan=po2018.zone_plan, year=2019, title="Piano Operativo 2019",
        state=OperatingPlan.State.DRAFT,
    )
    carried = FundingAllocation.objects.create(
        ambito=po2018.zone_plan.ambito, zone_plan=po2018.zone_plan, operating_plan=shell,
        year=2019, kind=FundingAllocation.Kind.SURPLUS, label="Avanzo gestionale 2018",
        amount=D("869860.91"),
    )
    plan = plan_create_from(source=po2018, year=2019, user=staff)
    assert plan.pk == shell.pk
    assert OperatingPlan.objects.filter(zone_plan__ambito=po2018.zone_plan.ambito,
                                        year=2019).count() == 1
    assert lines(plan).aggregate(total=Sum("preventivo"))["total"] == D("10284455.13")
    carried.refresh_from_db()
    assert carried.operating_plan_id == plan.pk and carried.amount == D("869860.91")

    # Once it has objectives it is a plan of its own: a second carry is refused.
    with pytest.raises(ValidationError, match="Esiste già il Piano Operativo 2019"):
        plan_create_from(source=po2018, year=2019, user=staff)
