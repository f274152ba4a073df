"""Demo data (make run): cremasco PO 2019 from PO 2018 with the 2018 avanzo as entrate,
Cremona's first PO 2019 from its Piano di Zona; running it twice changes nothing."""

from decimal import Decimal

from django.core.management import call_command
from django.db.models import Sum

from budget.models import BudgetLine, FundingAllocation
from indicators.models import Indicator, Milestone
from objectives.models import Action, Objective, OperatingPlan, PolicyGoal

D = Decimal


def counts():
    return (OperatingPlan.objects.count(), Objective.objects.count(), Action.objects.count(),
            BudgetLine.objects.count(), FundingAllocation.objects.count())


def test_demo_plans_are_created_once(db, settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_users")
    out = capsys.readouterr().out
    assert "cremasco: creato il Piano Operativo 2019 in bozza dal Piano Operativo 2018" in out
    cremasco = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2019)
    assert cremasco.state == "bozza"
    lines = BudgetLine.objects.filter(action__objective__plan=cremasco)
    assert lines.count() == 166
    assert lines.aggregate(t=Sum("preventivo"))["t"] == D("10284455.13")  # preventivi 2018
    assert Objective.objects.filter(plan=cremasco).count() == 15
    assert Indicator.objects.filter(objective__plan=cremasco).count() == 164
    milestones = Milestone.objects.filter(objective__plan=cremasco).exclude(due_date=None)
    assert milestones.filter(due_date__year__lt=2019).count() == 0 and milestones.exists()
    avanzo = FundingAllocation.objects.filter(operating_plan=cremasco, kind="avanzo")
    # The Assemblea's destination of the 2018 avanzo (Tab. 3, as printed: 869.860,91 €).
    assert avanzo.count() == 28
    assert avanzo.aggregate(t=Sum("amount"))["t"] == D("869860.91")

    cremona = OperatingPlan.objects.get(zone_plan__ambito__slug="cremona", year=2019)
    assert cremona.state == "bozza" and cremona.zone_plan.title == "Piano di Zona 2019-2020"
    objectives = Objective.objects.filter(plan=cremona).order_by("number")
    assert objectives.count() == 11 and objectives[0].title == "POVERTÀ"
    assert objectives[0].area.code == "4.1"
    goals = PolicyGoal.objects.filter(area__zone_plan=cremona.zone_plan).count()
    actions = Action.objects.filter(objective__plan=cremona)
    assert actions.count() == goals == 109
    assert sorted(actions.values_list("number", flat=True)) == list(range(1, 110))

    before = counts()
    call_command("create_demo_users")
    assert "PO 2019 già presente" in capsys.readouterr().out
    assert counts() == before
