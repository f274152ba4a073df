"""One rule for a printed figure that differs from the computed one (issue 19.2): the
computed figure in the table, the printed one (and why) in a footnote at that place, the
same row on the reconciliation page. Checked on the builders' HTML, not the PDF."""

import re

import pytest

from budget.reconciliation import reconcile
from objectives.models import OperatingPlan, ZonePlan
from reports import rendering

pytestmark = pytest.mark.django_db


def _html(kind, target):
    return re.sub(r"\s+", " ", rendering.render_html(rendering.build(kind, target)))


@pytest.fixture(scope="module")
def html(django_db_setup, django_db_blocker):
    cache = {}

    def get(name):
        if name not in cache:
            with django_db_blocker.unblock():
                plans = OperatingPlan.objects.filter(zone_plan__ambito__slug="cremasco")
                if name == "po":
                    cache[name] = _html("piano-operativo", plans.get(year=2015))
                elif name == "consuntivo":
                    cache[name] = _html("consuntivo", plans.get(year=2018))
                else:
                    zone_plan = ZonePlan.objects.get(ambito__slug="cremona", start_year=2019)
                    cache[name] = _html("piano-di-zona", zone_plan)
        return cache[name]

    return get


def _footnoted(html, shown, printed):
    """The computed figure in the cell, followed by the footnote with the printed one."""
    pattern = re.escape(shown) + r'<span class="fn">[^<]*' + re.escape(printed)
    return re.search(pattern, html)


@pytest.mark.parametrize(
    ("report", "shown", "printed", "why"),
    [
        ("pdz", "3.069", "valore stampato nel documento originale: 3.724",
         "ripete quello dei MORTI"),
        ("pdz", "-4.550", "valore stampato nel documento originale: -4.450", "97.553"),
        ("pdz", "66.510", "valore stampato nel documento originale: 65.510", "tre distretti"),
        ("consuntivo", "178", "valore stampato nel documento originale: 145", "somma delle righe"),
        ("consuntivo", "60", "valore stampato nel documento originale: 57", "somma delle righe"),
        ("consuntivo", "869.860,91 €", "importo stampato nel documento originale: 869.860,50 €",
         "errore di stampa"),
        ("po", "4.989.512,71 €", "importo stampato nel documento originale: 4.930.393,87 €",
         "Azione 29"),
    ],
)
def test_printing_error_footnoted_where_printed(html, report, shown, printed, why):
    text = html(report)
    match = _footnoted(text, shown, printed)
    assert match, (shown, printed)
    note = text[match.end(): text.index("</span>", match.end())]
    assert why in note


def test_po_footnote_explains_the_gap_of_azione_29(html):
    assert "59.118,84 €" in html("po") and "6.777.578,07 €" in html("po")


@pytest.mark.parametrize(
    ("scope", "printed", "computed", "why"),
    [
        ("table:tab-1-4-saldo-naturale:5:2", "3724", "3069", "MORTI"),
        ("table:tab-1-4-andamento-demografico:1:6", "-4450", "-4550", "97.553"),
        ("table:tab-11-utenza:8:2", "145", "178", "somma"),
        ("table:tab-11-utenza:8:3", "57", "60", "somma"),
        ("surplus:2018:total", "869860.50", "869860.91", "0,41"),
        ("destination:2018:total", "869860.50", "869860.91", "0,41"),
        ("objective:7:preventivo", "4930393.87", "4989512.71", "Azione 29"),
    ],
)
def test_same_difference_on_the_reconciliation_page(scope, printed, computed, why):
    rows = {d.scope: d for d in reconcile()}
    assert scope in rows
    assert rows[scope].printed == type(rows[scope].printed)(printed)
    assert rows[scope].computed == type(rows[scope].computed)(computed)
    assert why in rows[scope].note


def test_reconciliation_page_lists_table_rows_with_their_explanation(client, django_user_model):
    admin = django_user_model.objects.create_superuser("rec19", "rec19@example.org", "x-Pass-19!")
    client.force_login(admin)
    response = client.get("/admin/governance/sourcedocument/riconciliazione/")
    assert response.status_code == 200
    body = re.sub(r"\s+", " ", response.content.decode())
    assert "table:tab-1-4-saldo-naturale:5:2" in body
    assert ">3.724<" in body and ">3.069<" in body  # counts, not euro
    assert "MORTI" in body and "Azione 29" in body
