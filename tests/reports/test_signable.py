"""The three seed reports a mayor can sign, and a new year's plan printed as cleanly (issue 19).

Read from the PDFs' extracted text (pypdf), rendered once per session (conftest.py); the
new year's plan is rendered once here.
"""

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from budget.reconciliation import reconcile
from objectives import tables
from objectives.models import DataTable, OperatingPlan
from objectives.services import plan_create_from
from reports import builders, rendering

pytestmark = pytest.mark.django_db


def _squash(text):
    return re.sub(r"\s+", " ", text)


def test_tab_8_total_footnoted_with_the_budget_line_and_reconciled(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    # The table's TOTALE is the sum of its rows, footnoted with the budget line's figure.
    assert re.search(r"TOTALE 18 16 83\.163,79 €\d", text)
    assert ("riga di bilancio «Gestione rette» dell'Obiettivo 5, Azione 3: 83.163,81 €. "
            "Tab. 8 somma i costi per Sub-ambito" in text)
    rows = {d.scope: d for d in reconcile()}
    row = rows["line:5:3:1:consuntivo"]
    assert (row.printed, row.computed) == (Decimal("83163.79"), Decimal("83163.81"))
    assert "Tab. 8" in row.label and "83.163,78" in row.note


def test_every_stored_total_row_is_computed_by_a_rule():
    """A table's last row printed as TOTALE is computed (and so reconciled), never re-typed."""
    unruled = []
    for table in DataTable.objects.all():
        if not table.rows or not table.kinds:
            continue
        last = len(table.rows) - 1
        label = " ".join(str(c) for c, k in zip(table.rows[last], table.kinds, strict=False)
                         if k == tables.TEXT)
        ruled = {r for rule in table.rules or [] for r, _c in tables._targets(rule)}
        if re.match(r"^\s*([\w.]+\s+){0,3}totali?\b", label, re.I) and last not in ruled:
            unruled.append(table.key)
    assert unruled == []
    # and the totals the rules compute are the printed ones (no footnote needed there)
    cells = tables.evaluate(DataTable.objects.get(key="tab-4-3-3-salute-mentale"))
    assert cells[14][7].display() == "1.424" and not cells[14][7].differs


def test_pdz_text_around_tables_not_printed_twice(pdz_2019):
    text = _squash(pdz_2019.text)
    # The NOTE column of the poli territoriali is not repeated as a bullet list under it,
    # nor the district class column of the demographic trend.
    assert text.count("maggior incremento totale") == 1
    assert text.count("+12.000 CREMASCO (+50%)") == 1
    assert text.count("0-14 presenta un +57%") == 1
    # A table's title is its caption, not a line of text above it as well.
    assert text.count("Distribuzione Percentuale Popolazione per Fasce") == 1
    # The goals of an area set out in its text are not boxed a second time.
    assert "Obiettivi 2019-2020 –" not in text
    assert text.count("Strutturazione di sistemi locali di economia circolare") == 1
    assert text.count("È necessario dotare il sistema di strumenti che aiutino") == 1


def test_pdz_counts_and_shares_printed_in_their_own_columns(pdz_2019):
    text = _squash(pdz_2019.text)
    assert "Minori 1.018 31,76% 302 29,67% 716 70,33%" in text
    assert "71.670" not in text


def test_two_figures_in_one_numeric_cell_refused():
    with pytest.raises(tables.TableError, match="due cifre"):
        tables.parse_cell(tables.PERCENT, "716 70,33%", where="tabella «x», riga 1")
    assert tables.parse_cell(tables.EURO, "€ 10 163,95", where="x") == "10163.95"


def _pages(pdf):
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def test_new_year_plan_printed_without_empty_pages_nor_staff_text(django_user_model):
    """The PO 2016 carried from the PO 2015 in the app: no narrative, no consuntivo yet."""
    source = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2015)
    user = django_user_model.objects.create_superuser("carry19", "c19@example.org", "x-Pass-19!")
    plan = plan_create_from(source=source, year=2016, user=user)
    po = _pages(rendering.render(builders.KIND_OPERATING_PLAN, plan).pdf)
    final = _pages(rendering.render(builders.KIND_FINAL_REPORT, plan).pdf)
    # Objectives follow one another (the seed PO 2015 prints them in 26 pages with its text).
    assert len(po) <= 22, len(po)
    assert len(final) <= 20, len(final)
    for pages in (po, final):
        body = _squash(" ".join(pages[2:]))
        for text in ("non sono ancora stat", "None", "TODO", "{{", "Gli anni mancanti"):
            assert text not in body
        # no page of the body holds only a few lines (a heading, a lone total)
        short = [n for n, page in enumerate(pages[2:-1], start=3) if len(page.strip()) < 250]
        assert short == [], short
    # A first year without its consuntivo prints no section for data it does not hold.
    final_text = _squash(" ".join(final))
    assert "Ricavi e costi per anno" not in final_text
    assert "Ricavi" not in final_text and "Sintesi consuntivo" not in final_text
    assert "Obiettivo 10" in final_text and "preventivo e consuntivo 2016" in final_text


def test_amounts_in_stored_tables_print_amount_then_euro(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    assert "330,00 € + iva" in text and "€. 330,00" not in text
