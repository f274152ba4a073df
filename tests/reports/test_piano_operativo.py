"""Piano Operativo 2015 (cremasco) as PDF: every objective total, the funding table, the notes."""

import io
import re

import pytest
from pypdf import PdfReader

# The reports are rendered once per session; tests only read their text.
pytestmark = pytest.mark.django_db

OBJECTIVE_TOTALS = {
    1: "21.000,00", 2: "12.000,00", 3: "12.543,47", 4: "644.968,05", 5: "182.615,30",
    6: "60.137,46", 7: "4.989.512,71", 8: "100.000,00", 9: "360.323,16", 10: "453.596,76",
}


def _squash(text):
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("number, total", OBJECTIVE_TOTALS.items())
def test_objective_totals(po_2015, number, total):
    text = _squash(po_2015.text)
    assert re.search(rf"TOTALE OBIETTIVO {number} {re.escape(total)} €", text), total


def test_printed_total_that_differs_is_a_footnote(po_2015):
    text = _squash(po_2015.text)
    # The computed figure is shown, the printed one is a note wherever the total is printed:
    # the resources table, the macro-area's list and the summary.
    assert text.count("importo stampato nel documento originale: 4.930.393,87 €") == 3
    assert re.search(r"TOTALE OBIETTIVO 7 4\.989\.512,71 €\d", text)


def test_funding_table(po_2015):
    text = _squash(po_2015.text)
    for label, amount in [
        ("Avanzo gestionale 2014", "573.004,24"), ("Avanzo gestionale 2014 - FNA", "455.920,00"),
        ("Totale avanzo", "1.268.924,24"), ("FNPS2015", "635.000,00"),
        ("Comuni 2015", "2.857.738,28"), ("Totale entrate 2015", "5.988.653,83"),
        ("TOTALE BUDGET 2015", "7.257.578,07"), ("Totale entrate non applicate", "480.000,00"),
    ]:
        assert f"{label} {amount} €" in text, label
    assert re.search(r"TOTALE PO 2015 \(totale budget − entrate non applicate\) 6\.777\.578,07 €",
                     text)


def test_objective_content(po_2015):
    text = _squash(po_2015.text)
    for fragment in [
        "Raccolta, analisi dei dati ed elaborazione 15.000,00 €",
        "Gestione e sviluppo software Ditta esterna KLAN 4.000,00 €",
        "Azione 7: Welfare Legami - CARIPLO 52.000,00 €",
        "MARIA PIA VENTURELLI per Comunità Sociale Cremasca a.s.c.",
        "Obiettivo del triennio", "Range di valutazione 2015",
        "Coinvolgimento nella realizzazione dell’O.T.P. del 50%",
        "N. di realtà che conferiscono dati/N. di protocolli stipulati",
        "Tempi", "RICOMPOSIZIONE DEI SERVIZI",
        # A note of the document on objective 6, after its resources table.
        "copertura del servizio di telefonia sociale",
    ]:
        assert fragment in text, fragment


def test_cover_toc_header_and_footer(po_2015):
    pages = po_2015.pages
    cover = _squash(pages[0])
    assert "Piano Operativo 2015" in cover
    assert "Ambito distrettuale cremasco" in cover and "Comune di Crema" in cover
    assert "Assemblea dei Sindaci del 30 aprile 2015" in cover  # Italian date
    toc = _squash(pages[1])
    assert "Indice" in toc
    assert re.search(r"Obiettivo 7 \.+ ?\d+", toc) or re.search(r"Obiettivo 7[ .]+\d+", toc)
    total = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        assert f"Pagina {number} di {total}" in page
    assert "Piano Operativo 2015 PREMESSA" in pages[2]  # running header: title and chapter
    assert "Ambito distrettuale cremasco · Ente capofila: Comune di Crema" in pages[2]
    assert not any("BOZZA" in page for page in pages)  # approved plan


def test_tagged_pdf_in_italian(po_2015):
    reader = PdfReader(io.BytesIO(po_2015.rendered.pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "it"
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert "/StructTreeRoot" in root
    assert reader.metadata.title.startswith("Piano Operativo 2015")
