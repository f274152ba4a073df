"""Classification: reference lists, the reviewed seed classification, the cuts to the cent,
and the service's rules (shares adding up to 100 %, staff only, history with the reason)."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budget.models import BudgetLine
from classification import loader, selectors, services
from classification.models import Assignment, Code, Dimension
from objectives.models import Action, OperatingPlan

DIMENSIONS = ["area_utenza", "macro_istat", "gestione", "fnps_area", "leps"]
UPLINE = Decimal("9286435.65")  # Relazione Consuntivo 2018, uscite


def plan_2018():
    return OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)


def plan_2015():
    return OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2015)


@pytest.mark.django_db
def test_reference_lists_are_loaded_with_istat_areas():
    areas = [c.label for c in selectors.codes_of("area_utenza")]
    assert areas == [
        "Famiglia e minori", "Disabili", "Dipendenze", "Anziani",
        "Immigrati, Rom, Sinti e Caminanti", "Povertà, disagio adulti e senza dimora",
        "Multiutenza",
    ]
    assert [c.code for c in selectors.codes_of("macro_istat")] == ["IS", "TD", "ST"]
    assert set(Dimension.objects.values_list("code", flat=True)) >= set(DIMENSIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_every_cut_of_2018_adds_up_to_the_consuntivo_to_the_cent(dimension):
    lines = selectors.plan_lines(plans=[plan_2018()])
    totals = selectors.cut(lines, dimension_code=dimension, measure="consuntivo")
    assert sum(totals.values()) == UPLINE
    prev = selectors.cut(lines, dimension_code=dimension, measure="preventivo")
    assert sum(prev.values()) == sum(lines.values_list("preventivo", flat=True))


@pytest.mark.django_db
def test_2018_area_cut_to_the_cent_and_nothing_unclassified():
    lines = selectors.plan_lines(plans=[plan_2018()])
    totals = selectors.cut(lines, dimension_code="area_utenza", measure="consuntivo")
    # The only action left without an area (rete antiviolenza) has no money.
    assert (None, None) not in totals or totals[(None, None)] == Decimal("0.00")
    # CDD "Il Sole" (585.904,84) is disabili; the SAD line of the accredited services
    # (573.131,24) is anziani although its action is disabili (a line override).
    sad = BudgetLine.objects.get(action__objective__plan=plan_2018(), item="SAD")
    assert selectors.effective_classification(
        BudgetLine.objects.filter(pk=sad.pk), "area_utenza"
    ) == {sad.pk: [("ANZ", Decimal("100.00"))]}
    assert totals[(None, "IMM")] == Decimal("26750.00")  # FAMI 1


@pytest.mark.django_db
def test_every_action_and_line_of_both_documents_is_classified_or_listed():
    for name, plan in (("assignments-consuntivo-2018-cremasco.json", plan_2018()),
                       ("assignments-po-2015-cremasco.json", plan_2015())):
        data = json.loads((loader.FIXTURES / name).read_text())
        listed = {(u["objective"], u["action"], u["dimension"]) for u in data["unclassified"]}
        lines = selectors.plan_lines(plans=[plan])
        for dimension in ("area_utenza", "macro_istat", "gestione", "fnps_area"):
            for line in selectors.unclassified_lines(lines, dimension).select_related(
                "action__objective"
            ):
                key = (line.action.objective.number, line.action.number, dimension)
                assert key in listed, key
        assert Assignment.objects.filter(
            action__objective__plan=plan, status=Assignment.Status.PROPOSED
        ).exclude(reason="").count() == Assignment.objects.filter(
            action__objective__plan=plan
        ).count()


def test_split_amount_hands_out_the_cents():
    parts = selectors.split_amount(
        Decimal("0.10"), [("A", Decimal("33.33")), ("B", Decimal("33.33")),
                          ("C", Decimal("33.34"))]
    )
    assert sum(p for _, p in parts) == Decimal("0.10")
    halves = selectors.split_amount(Decimal("100.01"), [("A", Decimal("50")),
                                                         ("B", Decimal("50"))])
    assert sum(p for _, p in halves) == Decimal("100.01")


@pytest.mark.django_db
def test_reload_keeps_a_confirmed_change(world):
    action = Action.objects.get(objective__plan=plan_2018(), objective__number=11, number=1)
    root = world.user("superuser")
    services.classify(user=root, action=action, dimension="area_utenza",
                      shares=[("POV", "40"), ("IMM", "60")], reason="Verificato con l'UdP",
                      status=Assignment.Status.CONFIRMED)
    assert loader.load_all() == 0
    rows = Assignment.objects.filter(action=action, line=None, dimension__code="area_utenza")
    assert sorted((r.code.code, r.share) for r in rows) == [
        ("IMM", Decimal("60.00")), ("POV", Decimal("40.00"))]
    assert rows.first().history.first().history_change_reason == "Verificato con l'UdP"


@pytest.mark.django_db
def test_classify_refuses_shares_not_adding_up_and_unknown_codes(world):
    action = Action.objects.get(objective__plan=plan_2018(), objective__number=11, number=1)
    root = world.user("superuser")
    before = list(Assignment.objects.filter(action=action).values_list("code_id", "share"))
    with pytest.raises(ValidationError, match="sommano 90,00 %"):
        services.classify(user=root, action=action, dimension="area_utenza",
                          shares=[("POV", "40"), ("IMM", "50")], reason="x")
    with pytest.raises(ValidationError, match="non esiste"):
        services.classify(user=root, action=action, dimension="area_utenza",
                          shares=[("XYZ", "100")], reason="x")
    with pytest.raises(ValidationError, match="non si ripartisce"):
        services.classify(user=root, action=action, dimension="gestione",
                          shares=[("DIR", "50"), ("APP", "50")], reason="x")
    with pytest.raises(ValidationError, match="motivazione"):
        services.classify(user=root, action=action, dimension="area_utenza",
                          shares=[("IMM", "100")], reason=" ")
    assert list(Assignment.objects.filter(action=action).values_list("code_id", "share")) \
        == before


@pytest.mark.django_db
def test_only_staff_of_the_ambito_classify(world):
    action = Action.objects.filter(objective__plan__zone_plan__ambito=world.a.ambito).first()
    services.classify(user=world.user("staff_a"), action=action, dimension="area_utenza",
                      shares=[("ANZ", "100")], reason="Anziani")
    area = Assignment.objects.filter(action=action, dimension__code="area_utenza")
    assert area.get().code.code == "ANZ"
    for role in ("staff_b", "referent_a", "assembly_a", "auditor_a", "nobody"):
        with pytest.raises(PermissionDenied):
            services.classify(user=world.user(role), action=action, dimension="area_utenza",
                              shares=[("DIS", "100")], reason="Disabili")
    assert area.get().code.code == "ANZ"


@pytest.mark.django_db
def test_line_override_beats_action(world):
    action = Action.objects.filter(objective__plan__zone_plan__ambito=world.a.ambito).first()
    line = action.lines.first()
    staff = world.user("staff_a")
    services.classify(user=staff, action=action, dimension="area_utenza",
                      shares=[("ANZ", "100")], reason="Anziani")
    services.classify(user=staff, action=action, line=line, dimension="area_utenza",
                      shares=[("FAM", "25"), ("DIS", "75")], reason="Ripartita")
    effective = selectors.effective_classification(action.lines.all(), "area_utenza")
    assert effective[line.pk] == [("DIS", Decimal("75.00")), ("FAM", Decimal("25.00"))]
    assert all(v == [("ANZ", Decimal("100.00"))] for k, v in effective.items() if k != line.pk)


@pytest.mark.django_db
def test_codes_carry_validity_years():
    code = Code.objects.get(dimension__code="intervento", code="ML1")
    assert code.valid_in(2013) and not code.valid_in(2012)
