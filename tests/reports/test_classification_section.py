"""Relazione Consuntivo: the section «Classificazione della spesa e debiti informativi»
(issue 21). Its figures are the returns' own (returns/builder.py), to the cent."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from budget.models import BudgetLine
from classification.models import Assignment
from core.formatting import format_euro
from objectives.models import OperatingPlan
from objectives.services import plan_create_from
from reports import builders
from returns import builder as returns
from returns.models import ReturnTemplate

pytestmark = pytest.mark.django_db

UPLINE = Decimal("9286435.65")  # Relazione Consuntivo 2018, uscite
TITLE = "Classificazione della spesa e debiti informativi 2018"


def _squash(text):
    return re.sub(r"\s+", " ", text)


def _section(data):
    return next(b for s in data.context["flow"] for b in s.get("items", [])
                if b["template"].endswith("classification.html"))


def _plan():
    return OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)


def test_section_totals_are_the_consuntivo_uscite(consuntivo_2018):
    block = _section(consuntivo_2018.data)
    istat = block["istat"]
    assert istat["total"] == UPLINE and istat["lines_total"] == UPLINE and istat["reconciled"]
    assert sum(r.total for r in istat["rows"]) == UPLINE
    assert sum(istat["column_totals"]) == UPLINE
    assert block["leps"]["total"] == UPLINE
    text = _squash(consuntivo_2018.text)
    # The same uscite as the Riepilogo's TOTALE PO, and the section's grand total row.
    assert "TOTALE PO 10.284.455,13 € 9.286.435,65 €" in text
    assert ("Totale uscite 2018 5.527.018,15 € 534.632,77 € 3.224.784,73 € 9.286.435,65 €"
            in text)
    assert "Il totale è pari alle uscite del Piano Operativo 2018 (9.286.435,65 €)" in text


def test_section_rows_are_the_istat_return_rows(consuntivo_2018):
    table = returns.build(returns.template_for("istat"),
                          ambiti=returns.resolve_ambiti("cremasco"), year=2018)
    text = _squash(consuntivo_2018.text)
    block = _section(consuntivo_2018.data)
    assert [(r.label, r.values, r.total) for r in block["istat"]["rows"]] == [
        (r.label, r.values, r.total) for r in table.rows]
    for row in table.rows:
        printed = " ".join(format_euro(v) for v in [*row.values, row.total])
        assert f"{row.label} {printed}" in text, row.label
    # The unclassified money has a row of its own, even at zero.
    assert table.rows[-1].label == "Spesa non classificata"
    assert "Spesa non classificata 0,00 € 0,00 € 0,00 € 0,00 €" in text
    assert "Famiglia e minori 642.553,00 € 0,00 € 1.541.267,53 € 2.183.820,53 €" in text
    assert "Disabili 2.884.752,51 € 235.199,23 € 1.683.517,20 € 4.803.468,94 €" in text


def test_fnps_minimum_and_leps_coverage_printed(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    assert ("Spesa per interventi per le persone di minore età e le famiglie 2.246.433,53 €"
            in text)
    assert "Entrate FNPS 2018 611.065,21 €" in text
    assert "Minimo: 40 % delle entrate FNPS 244.426,08 €" in text
    assert "Quota minima raggiunta" in text and "quota sotto il minimo" not in text
    assert "(LEPS) 2018: 5 coperti, 3 non coperti" in text
    assert "Dimissioni protette non coperto 0,00 €" in text
    assert "Pronto intervento sociale coperto 25.071,58 €" in text
    assert "Servizio sociale professionale (un assistente sociale ogni 5.000 abitanti) coperto " \
           "384.457,89 €" in text
    assert "Spesa non riconducibile a un LEPS – 8.692.535,79 €" in text


def test_section_is_compact_and_listed_in_the_index(consuntivo_2018):
    pages = consuntivo_2018.pages
    assert TITLE in pages[1]  # the index
    own = [n for n, page in enumerate(pages) if TITLE in page and n > 1]
    # one or two pages, each well filled (no heading left alone on a page)
    assert 1 <= len(own) <= 2, own
    assert all(len(pages[n].strip()) > 1500 for n in own)
    assert own[-1] == len(pages) - 1  # after the Riepilogo, at the end of the document


def test_fnps_short_of_the_minimum_warned():
    plan = _plan()
    ReturnTemplate.objects.create(
        ambito=plan.zone_plan.ambito, key="fnps", name="FNPS – quota regionale",
        row_dimension="fnps_area", column_dimension="area_utenza", measure="consuntivo",
        channels=[], checks=[{"kind": "min_share", "code": "MINORI", "threshold": "400",
                              "of_channel_income": "FNPS"}],
    )
    block = _section(builders.build_final_report(plan))
    assert block["fnps"]["ok"] is False
    assert block["fnps"]["minimum"] == Decimal("2444260.84")
    html = _squash(render_to_string("reports/pdf/blocks/classification.html",
                                    {"block": block}))
    assert "Attenzione: quota sotto il minimo." in html
    assert "non raggiunge il 400 % richiesto (2.444.260,84 €)" in html
    assert "Quota minima raggiunta" not in html


def test_unclassified_money_moves_to_its_row_and_changes_the_version():
    plan = _plan()
    before = builders.build_final_report(plan)
    action = (plan.objectives.get(number=15).actions.order_by("number").first())
    moved = sum(line.consuntivo for line in action.lines.exclude(consuntivo=None))
    assert moved > 0
    Assignment.objects.filter(action=action, dimension__code="area_utenza").delete()
    after = builders.build_final_report(plan)
    assert after.data_version != before.data_version
    istat = _section(after)["istat"]
    assert istat["total"] == UPLINE  # moved to its own row, not dropped
    assert istat["unclassified"] == moved
    assert istat["rows"][-1].label == "Spesa non classificata"
    assert istat["rows"][-1].total == moved


def test_no_section_without_consuntivo(django_user_model):
    """A new year's plan, carried in the app, has no consuntivo yet: nothing to cut."""
    source = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2015)
    user = django_user_model.objects.create_superuser("carry21", "c21@example.org", "x-Pass-21!")
    plan = plan_create_from(source=source, year=2016, user=user)
    assert not BudgetLine.objects.filter(action__objective__plan=plan).exclude(
        consuntivo=None).exclude(consuntivo=0).exists()
    data = builders.build_final_report(plan)
    assert not any(b["template"].endswith("classification.html")
                   for s in data.context["flow"] for b in s.get("items", []))
    assert "Classificazione della spesa e debiti informativi 2016" not in [
        e["title"] for e in data.context["toc"]]
