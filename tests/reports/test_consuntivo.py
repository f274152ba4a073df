"""Relazione Consuntivo 2018 (cremasco): totals, indicators by quarter, milestones, charts."""

import re

import pytest

# The reports are rendered once per session; tests only read their text.
pytestmark = pytest.mark.django_db

OBJECTIVES = [
    (1, "69.043,57", "54.560,27"), (2, "686.792,34", "533.951,83"), (3, "387.722,60", "379.990,40"),
    (4, "56.367,54", "62.530,75"), (5, "6.291.679,73", "6.078.161,48"),
    (6, "1.106.140,06", "1.100.639,23"), (7, "57.471,21", "53.925,31"),
    (8, "430.987,14", "352.447,41"), (9, "26.018,16", "0,00"), (10, "875.733,92", "467.367,09"),
    (11, "26.750,00", "26.750,00"), (12, "0,00", "0,00"), (13, "0,00", "0,00"),
    (14, "186.780,23", "100.837,13"), (15, "82.968,63", "75.274,75"),
]


def _squash(text):
    return re.sub(r"\s+", " ", text)


def test_plan_totals(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    assert "TOTALE PO 10.284.455,13 € 9.286.435,65 €" in text


@pytest.mark.parametrize("number, planned, actual", OBJECTIVES)
def test_objective_totals_in_table_and_riepilogo(consuntivo_2018, number, planned, actual):
    text = _squash(consuntivo_2018.text)
    assert f"TOTALE OBIETTIVO {number} {planned} € {actual} €" in text
    assert re.search(rf"OBIETTIVO {number}: [^€]+ {re.escape(planned)} € {re.escape(actual)} €",
                     text)


def test_lines_preventivo_and_consuntivo(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    for fragment in [
        "Gestione e sviluppo software 12.000,00 € 3.019,50 €",
        "Punti accoglienza distretto/sub ambiti 189.225,26 € 80.208,12 €",
        "Percorso formativo 0,00 € –",  # no consuntivo entered: a dash, not zero
        "Coordinamento attività programmatorie 35.000,00 € 31.288,88 €",
    ]:
        assert fragment in text, fragment


def test_indicators_by_quarter(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    assert "Al 30/06/2018 Al 30/09/2018 Al 31/12/2018" in text
    assert "N° operatori profilati 762 762 856" in text
    assert "N° anagrafiche caricate 18.211 20.024 15.347" in text
    assert "N° ore di servizio erogate ai comuni N.D. N.D. 14.753" in text
    assert "% di AS assunte con contratto a TD su totale AS 50% 50% 55%" in text
    assert "N° accessi al PUA 182 565 806 1.096" in text
    # '-' in the document: not measured in the period, printed as a dash.
    assert re.search(r"N° giorni di attesa per presa in carico .*? – 23 22", text)


def test_milestones(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    assert "Ottenimento premialità regionale per obiettivo 3 31/03/2018 Sì" in text
    assert "Riduzione 20% tasso di turn-over AS 31/12/2018 No" in text
    assert "Trimestrale" in text and "Semestrale" in text


def test_management_analysis_and_revenues(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    assert "Entrate 2018 (avanzo applicato ed entrate) 10.156.296,15 €" in text
    assert "Avanzo di gestione 2018 869.860,50 €" in text
    assert "Accoglienza PON AS Obiettivo 2 – Azione 3 vincolato 24.049,23 €" in text
    # Tab. 3: the lines add up to 0,41 € more than the document printed.
    assert "Avanzo vincolato 660.009,57 €" in text
    assert "importo stampato nel documento originale: 660.009,16 €" in text
    assert "Avanzo non vincolato 209.851,34 €" in text
    assert "Totale entrate 2018 9.501.032,92 €" in text
    assert "A) TOTALE BUDGET 10.156.296,15 €" in text
    assert "C = A − B) AVANZO GESTIONALE 2018 869.860,50 €" in text


def test_kpis_and_data_tables(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    assert "Spesa sociale pro-capite 104,54 € 111,43 € 114,84 €" in text
    assert "42% 49% 50%" in text
    assert "Personale in servizio al 31/12/2018" in text
    assert "Assistenti Sociali 22 17 5" in text
    assert "Mediazione ore e accessi" in text


def test_commentary_sections(consuntivo_2018):
    text = _squash(consuntivo_2018.text)
    assert "migrazione dal sistema Cartella Sociale Informatizzata" in text
    assert "05/04/2018" in text  # meetings listed in the OB15 commentary


def test_charts_are_matplotlib_vector_graphics(consuntivo_2018):
    html = consuntivo_2018.html
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)"', html)
    # 15 objectives (13 with amounts), 23 indicator tables, the riepilogo and the funds.
    assert len(charts) >= 38
    import base64

    svg = base64.b64decode(charts[0][0]).decode()
    assert "Matplotlib" in svg and "<path" in svg
    assert all(alt for _data, alt in charts)  # every chart has a text alternative
