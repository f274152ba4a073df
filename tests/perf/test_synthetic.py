"""The synthetic data generator: the seeds' shape, every constraint, the same rows per seed."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Min

import synthetic
from budget.models import BudgetLine, FundingAllocation
from budget.selectors import plan_funding
from governance.models import Ambito
from indicators.models import Indicator, Measurement, Milestone
from objectives.models import OperatingPlan

pytestmark = pytest.mark.django_db


def seed_rows():
    """What the seed documents hold: the generator must never touch it."""
    real = {"slug__startswith": synthetic.SYNTHETIC_PREFIX}
    return {
        "ambiti": list(Ambito.objects.exclude(**real).values_list("slug", flat=True)),
        "lines": BudgetLine.objects.exclude(
            action__objective__plan__zone_plan__ambito__slug__startswith="SYN-").count(),
        "measurements": Measurement.objects.exclude(
            indicator__objective__plan__zone_plan__ambito__slug__startswith="SYN-").count(),
    }


def snapshot():
    """Every synthetic row, its ids and foreign keys made relative to the first synthetic id
    of their table (two runs start from different ids, never from different data)."""
    models = synthetic.synthetic_models()
    ambiti = list(Ambito.objects.filter(slug__startswith="SYN-").values_list("pk", flat=True))
    querysets = {m: m.objects.filter(**{f"{m.scope_ambito}__in": ambiti}).order_by("pk")
                 for m in models}
    base = {m: qs.aggregate(first=Min("pk"))["first"] or 0 for m, qs in querysets.items()}
    out = {}
    for model, queryset in querysets.items():
        relations = {f.attname: f.related_model for f in model._meta.concrete_fields
                     if f.is_relation}
        rows = []
        for row in queryset.values():
            rows.append(tuple(
                (value - base.get(relations[k], 0)) if k in relations and value is not None
                else (value - base[model]) if k == "id" else value
                for k, value in sorted(row.items())
            ))
        out[model._meta.label] = rows
    return out


def test_tiny_scale_has_the_seed_shape_and_keeps_every_rule():
    before = seed_rows()
    result = synthetic.generate(ambiti=2, years=4, seed=3)

    assert list(Ambito.objects.filter(slug__startswith="SYN-").order_by("slug")
                .values_list("slug", flat=True)) == ["SYN-0001", "SYN-0002"]
    assert seed_rows() == before
    counts = result.counts
    assert counts["governance.Ambito"] == 2
    assert counts["objectives.ZonePlan"] == 4  # 2016-2018 and 2019-2021 per ambito
    assert counts["objectives.OperatingPlan"] == 8
    for label in ("objectives.Objective", "objectives.Action", "budget.BudgetLine",
                  "indicators.Indicator", "indicators.Measurement", "indicators.Milestone",
                  "objectives.Referent", "budget.FundingAllocation", "budget.Surplus",
                  "governance.Municipality"):
        assert counts[label] > 0, label
    # 2 ambiti × 4 plans × ~12 objectives × ~3.3 actions × ~3.4 lines: hundreds, not dozens.
    assert 200 < counts["budget.BudgetLine"] < 2000

    plans = OperatingPlan.objects.filter(zone_plan__ambito__slug__startswith="SYN-")
    for plan in plans:
        plan.full_clean()  # the year lies in its Piano di Zona
        lines = BudgetLine.objects.filter(action__objective__plan=plan)
        if plan.state == OperatingPlan.State.CLOSED:
            assert not lines.filter(consuntivo__isnull=True).exists()
        else:
            assert not lines.filter(consuntivo__isnull=False).exists()
        if plan.state != OperatingPlan.State.DRAFT:
            # An approved plan is covered by its entrate (no scopertura to declare).
            assert plan.approval_id is not None
            assert plan_funding(plan=plan)["shortfall"] == Decimal("0.00")
        for measurement in Measurement.objects.filter(indicator__objective__plan=plan):
            assert measurement.period_end.year == plan.year
            assert (measurement.value is None) == (measurement.state != "value")
    # Open and closed years side by side, as a running instance has them.
    assert {p.state for p in plans} >= {"chiuso"}
    assert plans.exclude(state="chiuso").exists()
    # N.D. is a state some rilevazioni have (the seeds have it).
    assert set(Measurement.objects.filter(
        indicator__objective__plan__in=plans).values_list("state", flat=True)) >= {"value"}
    assert Indicator.objects.filter(objective__plan__in=plans).values("kind").distinct().count() > 1
    assert Milestone.objects.filter(objective__plan__in=plans, due_date__isnull=True)\
        .exclude(periodicity="").count() + Milestone.objects.filter(
            objective__plan__in=plans, due_date__isnull=False, periodicity="").count() \
        == Milestone.objects.filter(objective__plan__in=plans).count()
    assert FundingAllocation.objects.filter(ambito__slug="SYN-0001", stage="consuntivo").exists()


def test_same_seed_same_rows_other_seed_other_rows():
    synthetic.generate(ambiti=2, years=2, seed=11)
    first = snapshot()
    assert synthetic.delete_synthetic() == 2
    assert not Ambito.objects.filter(slug__startswith="SYN-").exists()

    synthetic.generate(ambiti=2, years=2, seed=11)
    assert snapshot() == first

    synthetic.delete_synthetic()
    synthetic.generate(ambiti=2, years=2, seed=12)
    assert snapshot()["budget.BudgetLine"] != first["budget.BudgetLine"]


def test_an_ambito_is_the_same_at_any_scale():
    synthetic.generate(ambiti=1, years=2, seed=5)
    alone = snapshot()
    synthetic.delete_synthetic()
    synthetic.generate(ambiti=3, years=2, seed=5)
    first_of_three = {label: rows[:len(alone[label])] for label, rows in snapshot().items()}
    assert first_of_three["budget.BudgetLine"] == alone["budget.BudgetLine"]


def test_command_refuses_to_mix_with_existing_synthetic_ambiti(capsys):
    call_command("generate_synthetic", "--ambiti", "1", "--years", "1", "--seed", "2")
    lines = BudgetLine.objects.filter(action__objective__plan__zone_plan__ambito__slug="SYN-0001")
    count = lines.count()
    assert "Generati 1 ambiti" in capsys.readouterr().out

    with pytest.raises(CommandError, match="Ambiti sintetici già presenti \\(SYN-0001…\\): "
                                           "usa --replace per rigenerarli."):
        call_command("generate_synthetic", "--ambiti", "1", "--years", "1", "--seed", "9")
    assert lines.count() == count  # refused: nothing written

    call_command("generate_synthetic", "--ambiti", "1", "--years", "1", "--seed", "2",
                 "--replace")
    assert lines.count() == count
    call_command("generate_synthetic", "--ambiti", "1", "--delete")
    assert not Ambito.objects.filter(slug__startswith="SYN-").exists()
