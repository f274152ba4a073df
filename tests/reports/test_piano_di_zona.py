"""Piano di Zona 2019-2020 (Cremona): territory, spending, budget by fund, areas, governance."""

import re

import pytest

# The reports are rendered once per session; tests only read their text.
pytestmark = pytest.mark.django_db


def _squash(text):
    return re.sub(r"\s+", " ", text)


def test_budget_by_fund(pdz_2019):
    text = _squash(pdz_2019.text)
    # In the chapter on the budget, where the document printed its table.
    title = "9. IL BILANCIO PER IL BIENNIO"
    chapter = text[text.index(title, text.index(title) + 1):]  # after the table of contents
    assert "Bilancio per fondo 2019-2020" in chapter
    assert "TOTALE 7.090.754,52 € 6.489.697,00 €" in text
    assert "Totale Risorse Statali e Regionali 2.708.027,04 € 2.599.697,00 €" in text
    assert "Totale Risorse Gestione Associata 3.750.000,00 € 3.850.000,00 €" in text
    assert "Totale Risorse Progettuali 632.727,48 € 40.000,00 €" in text
    assert "FNPS 560.000,00 €" in text


def test_territory_and_population(pdz_2019):
    text = _squash(pdz_2019.text)
    assert "TOTALE AMBITO 153.068 157.415" in text
    assert "Cremona > 5.000 71.611 72.077" in text
    assert "Totale AT 6 71.611 72.077" in text
    assert "47 Comuni" in text


def test_social_spending(pdz_2019):
    text = _squash(pdz_2019.text)
    assert "18.696.008,00 €" in text and "20.391.617,00 €" in text
    assert "11.923.966,00 €" in text  # Cremona 2013


def test_sections_in_order_with_their_tables(pdz_2019):
    text = _squash(pdz_2019.text)
    order = [
        "NOTE INTRODUTTIVE SUL PERCORSO", "1.4 ANALISI DEMOGRAFICA", "1.5 ANALISI DELLA SPESA",
        "4.1 POVERTÀ", "7. LA GOVERNANCE DEL PIANO DI ZONA", "9. IL BILANCIO PER IL BIENNIO",
        "RINGRAZIAMENTI",
    ]
    first = text.index("NOTE INTRODUTTIVE SUL PERCORSO")  # in the table of contents
    body = text[text.index("NOTE INTRODUTTIVE SUL PERCORSO", first + 1):]
    positions = [body.index(title) for title in order]
    assert positions == sorted(positions)
    assert "[[tabella]]" not in text
    assert "LA PRESENZA di STRANIERI" in text and "ATS VALPADANA" in text


def test_areas_goals_and_governance(pdz_2019):
    text = _squash(pdz_2019.text)
    # The area's goals are set out in its text: printed there, not boxed a second time.
    assert "Obiettivi 2019-2020 – POVERTÀ" not in text
    assert text.count("Condivisione della conoscenza: si propone") == 1
    assert "Organismi di governance" in text
    assert "Assemblea dei Sindaci dell'Ambito distrettuale" in text
    assert "Linee guida per la programmazione sociale a livello locale 2018-2020" in text


def test_unapproved_plan_says_bozza_on_every_page(pdz_2019):
    assert all("BOZZA" in page for page in pdz_2019.pages)
