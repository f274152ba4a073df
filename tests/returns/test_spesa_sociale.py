"""The 'spesa-sociale' return: the Comuni's spending per Comune and class with the KPIs of
governance.selectors.municipal_spending_summary, to the cent against the Cremona PdZ
2019-2020 (1.5); a refused KPI says why in the file; bad input writes no file."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

D = Decimal


def run(*args):
    out = io.StringIO()
    call_command("returns", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("year, total, classes", [
    (2013, "18696008.00", ["14245295.00", "1491436.00", "2448556.00", "510721.00"]),
    (2014, "18515477.00", ["13900454.00", "1504486.00", "2571349.00", "539188.00"]),
    (2015, "20391617.00", ["15613739.00", "1572137.00", "2679818.00", "525923.00"]),
])
def test_cremona_spesa_sociale_return_reproduces_the_pdz(tmp_path, year, total, classes):
    out = tmp_path / "f.xlsx"
    printed = run("spesa-sociale", "--ambito", "cremona", "--year", str(year),
                  "--output", str(out))
    assert "OK – Spesa sociale del distretto: " in printed
    wb = load_workbook(out)
    rows = [[c.value for c in row] for row in wb["Prospetto"].iter_rows()]
    head = rows.index(["Comune", "Classe", "Gestione singola", "Gestione associata", "Totale",
                       "Popolazione", "Pro capite"])
    body = rows[head + 1:]
    comuni = [r for r in body if not str(r[0]).startswith("Totale")]
    assert len(comuni) == 47
    subtotals = [r for r in body if str(r[0]).startswith("Totale classe")]
    assert [D(str(r[4])).quantize(D("0.01")) for r in subtotals] == [D(v) for v in classes]
    grand = next(r for r in body if r[0] == "Totale ambito")
    assert D(str(grand[4])).quantize(D("0.01")) == D(total)
    assert sum(D(str(r[4])) for r in comuni).quantize(D("0.01")) == D(total)
    # No population and no split in the seeds: no invented figure, the reason instead.
    assert grand[5] == "non disponibile" and grand[6] == "non disponibile"
    assert grand[2] == "non disponibile" and grand[3] == "non disponibile"
    kpis = {r[0].value: (r[1].value, r[2].value) for r in wb["Indicatori"].iter_rows(min_row=2)}
    assert D(str(kpis["Spesa sociale del distretto"][0])).quantize(D("0.01")) == D(total)
    value, why = kpis["Spesa sociale pro capite"]
    assert value == "non calcolabile"
    assert f"manca la popolazione residente {year} di 47 Comuni su 47" in why
    value, why = kpis["Quota in gestione associata"]
    assert value == "non calcolabile"
    assert "manca la ripartizione tra gestione singola e associata di 47 Comuni" in why


@pytest.mark.django_db
def test_csv_says_why_a_kpi_is_refused(tmp_path):
    out = tmp_path / "f.csv"
    run("spesa-sociale", "--ambito", "cremona", "--year", "2015", "--output", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert "Totale ambito;;non disponibile;non disponibile;20391617,00;" in text
    assert "Spesa sociale pro capite;non calcolabile;Pro capite 2015 non calcolabile" in text


@pytest.mark.django_db
@pytest.mark.parametrize("ambito, year, message", [
    ("cremasco", 2018, "non ha Comuni registrati: Spesa sociale 2018 non calcolabile"),
    ("cremona", 1999, "ha la spesa sociale dell'anno 1999"),
    ("nessuno", 2015, "Ambito «nessuno» sconosciuto."),
])
def test_bad_input_is_refused_without_a_file(tmp_path, ambito, year, message):
    out = tmp_path / "f.xlsx"
    with pytest.raises(CommandError) as caught:
        run("spesa-sociale", "--ambito", ambito, "--year", str(year), "--output", str(out))
    assert message in str(caught.value)
    assert "Nessun file scritto." in str(caught.value)
    assert not out.exists()


@pytest.mark.django_db
def test_figures_are_numbers_with_their_format(world, tmp_path):
    """Amounts in euro with two decimals, the population as a whole number: real numbers a
    spreadsheet adds up, never text."""
    from objectives.models import OperatingPlan

    out = tmp_path / "f.xlsx"
    run("spesa-sociale", "--ambito", world.a.ambito.slug, "--year",
        str(world.a[OperatingPlan].year), "--output", str(out))
    ws = load_workbook(out)["Prospetto"]
    row = next(r for r in ws.iter_rows() if r[0].value == f"Comune {world.a.ambito.slug}")
    total, population, per_head = row[4], row[5], row[6]
    assert (total.value, total.number_format) == (1000, '#,##0.00 "€"')
    assert (population.value, population.number_format) == (1000, "#,##0")
    assert (per_head.value, per_head.number_format) == (1, '#,##0.00 "€"')
