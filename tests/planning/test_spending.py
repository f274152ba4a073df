"""The Comuni's spesa sociale: KPIs computed from the Comuni's data to the cent (seeds and
built data), refused with the reason where data is missing, the staff page's roles, the
entry with history, and the atomic import of the Comuni's file."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.models import Ambito, Municipality, MunicipalSpending, PopulationFigure
from governance.selectors import municipal_spending_summary

D = Decimal
# Whoever reads the ambito reads the page (revisori read-only); other ambiti 404.
READ = {"superuser": 200, "staff_a": 200, "referent_a": 200, "assembly_a": 200,
        "auditor_a": 200, "staff_b": 404, "anonymous": 302}
EDIT = {"superuser": 200, "staff_a": 200, "referent_a": 403, "assembly_a": 403,
        "auditor_a": 403, "staff_b": 404, "anonymous": 302}


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


# --- The seeds ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("year, total, classes", [
    (2013, "18696008.00", ["14245295.00", "1491436.00", "2448556.00", "510721.00"]),
    (2014, "18515477.00", ["13900454.00", "1504486.00", "2571349.00", "539188.00"]),
    (2015, "20391617.00", ["15613739.00", "1572137.00", "2679818.00", "525923.00"]),
])
def test_cremona_district_spending_reproduces_the_pdz_to_the_cent(year, total, classes):
    """PdZ 2019-2020, 1.5: the 47 Comuni's ISTAT figures add up to the printed totals of the
    ambito and of each class of Comune; per head and associated share are refused (the seeds
    hold no population for 2013-2015 and no singola/associata split)."""
    summary = municipal_spending_summary(ambito=Ambito.objects.get(slug="cremona"), year=year)
    assert len(summary.rows) == 47
    assert summary.total.value == D(total)
    assert [c.size_class.code for c in summary.classes] == [
        "> 5.000", "> 3.000", "> 1.000", "< 1.000"]
    assert [c.count for c in summary.classes] == [4, 5, 24, 14]
    assert [c.amount for c in summary.classes] == [D(v) for v in classes]
    assert summary.reconciliations and all(r.matches for r in summary.reconciliations)
    assert summary.per_capita.value is None
    assert (f"manca la popolazione residente {year} di 47 Comuni su 47"
            in summary.per_capita.missing)
    assert summary.associated_share.value is None
    assert ("manca la ripartizione tra gestione singola e associata di 47 Comuni su 47"
            in summary.associated_share.missing)


@pytest.mark.django_db
@pytest.mark.parametrize("year, total, per_head, share", [
    (2016, "17063168.69", "104.54", "42"), (2018, "18640393.53", "114.84", "50")])
def test_cremasco_kpis_refused_with_the_reason(year, total, per_head, share):
    """Consuntivo 2018, 'ALCUNI INDICATORI': the seeds hold the district's figures but not
    the 48 Comuni's, so each KPI is refused naming what is missing, never copied."""
    summary = municipal_spending_summary(ambito=Ambito.objects.get(slug="cremasco"), year=year)
    for figure in (summary.total, summary.per_capita, summary.associated_share):
        assert figure.value is None
        assert "nessun Comune dell'ambito è registrato (ne sono dichiarati 48)" in figure.missing
    printed = {r.label: r for r in summary.reconciliations}
    assert printed["Spesa sociale del distretto cremasco"].printed == D(total)
    assert printed["Spesa sociale pro-capite"].printed == D(per_head)
    share_label = "Spesa gestita da CSC rispetto al totale della spesa sociale"
    assert printed[share_label].printed == D(share)
    assert all(r.computed is None and not r.matches for r in summary.reconciliations)


# --- Computed from complete data ------------------------------------------------------------


def _comuni(ambito, figures, year=2018):
    made = []
    for pos, (name, people, single, associated) in enumerate(figures):
        municipality = Municipality.objects.create(ambito=ambito, name=name, position=pos + 10)
        PopulationFigure.objects.create(municipality=municipality, year=year, value=people)
        MunicipalSpending.objects.create(
            municipality=municipality, year=year, amount=D(single) + D(associated),
            amount_single=D(single), amount_associated=D(associated))
        made.append(municipality)
    return made


def test_kpis_computed_to_the_cent(world):
    ambito = world.a.ambito
    Municipality.objects.filter(ambito=ambito).delete()
    _comuni(ambito, [("Grande", 6001, "500000.10", "300000.00"),
                     ("Medio", 3500, "200000.00", "150000.05"),
                     ("Piccolo", 800, "40000.00", "10000.00")])
    summary = municipal_spending_summary(ambito=ambito, year=2018)
    assert summary.total.value == D("1200000.15")
    assert summary.population == 10301
    assert summary.per_capita.value == D("116.49")  # 1.200.000,15 / 10.301 = 116,4926…
    assert summary.associated_share.value == D("38.33")  # 460.000,05 / 1.200.000,15
    assert [(c.size_class.code, c.amount, c.per_capita) for c in summary.classes] == [
        ("> 5.000", D("800000.10"), D("133.31")), ("> 3.000", D("350000.05"), D("100.00")),
        ("< 1.000", D("50000.00"), D("62.50"))]
    assert all(r.class_derived for r in summary.rows)  # no registered class: from population


def test_one_comune_missing_refuses_and_names_it(world):
    ambito = world.a.ambito
    Municipality.objects.filter(ambito=ambito).delete()
    _comuni(ambito, [("Grande", 6001, "1.00", "1.00")])
    Municipality.objects.create(ambito=ambito, name="Senza dati", position=99)
    summary = municipal_spending_summary(ambito=ambito, year=2018)
    assert summary.total.value is None
    assert summary.total.missing == (
        "Spesa sociale 2018 non calcolabile: manca la spesa sociale 2018 di 1 Comune su 2 "
        "(Senza dati).")
    assert summary.recorded_total == D("2.00")


# --- The page and the entry ----------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(READ))
def test_page_roles(client, world, role):
    login(client, world, role)
    response = client.get(reverse("planning:spending", args=[world.a.ambito.slug]))
    assert response.status_code == READ[role]
    if READ[role] == 200:
        body = response.content.decode()
        assert "Spesa sociale dei Comuni" in body
        assert ("Importa il file dei Comuni" in body) == (EDIT[role] == 200)


@pytest.mark.parametrize("role", sorted(EDIT))
def test_entry_roles_and_data_unchanged_when_refused(client, world, role):
    login(client, world, role)
    spending = world.a[MunicipalSpending]
    url = reverse("planning:spending_entry", args=[world.a.ambito.slug])
    assert client.get(url).status_code == EDIT[role]
    response = client.post(url, {"municipality": spending.municipality_id,
                                 "year": spending.year, "amount_single": "1.000,10",
                                 "amount_associated": "234,46", "population": "1200",
                                 "reason": "dato del Comune"})
    spending.refresh_from_db()
    if EDIT[role] == 200:
        assert response.status_code == 302
        assert (spending.amount, spending.amount_single, spending.amount_associated) == (
            D("1234.56"), D("1000.10"), D("234.46"))
        last = spending.history.first()
        assert last.history_change_reason == "dato del Comune"
        assert last.history_user == world.user(role)
        assert PopulationFigure.objects.get(municipality_id=spending.municipality_id,
                                            year=spending.year).value == 1200
    else:
        assert response.status_code in (302, 403, 404)
        assert spending.amount == D("1000.00") and spending.amount_single is None


def test_entry_split_not_adding_up_is_refused(client, world):
    login(client, world, "staff_a")
    spending = world.a[MunicipalSpending]
    response = client.post(
        reverse("planning:spending_entry", args=[world.a.ambito.slug]),
        {"municipality": spending.municipality_id, "year": spending.year,
         "amount": "1.000,00", "amount_single": "600,00", "amount_associated": "300,00"})
    assert response.status_code == 400
    assert ("Gestione singola (600,00 €) e associata (300,00 €) sommano 900,00 €, "
            "non 1.000,00 €.") in response.content.decode()
    spending.refresh_from_db()
    assert spending.amount == D("1000.00") and spending.amount_single is None


# --- The import -----------------------------------------------------------------------------


def _csv(rows):
    text = "Comune;Anno;Spesa totale;Gestione singola;Gestione associata;Popolazione residente\n"
    text += "".join(";".join(row) + "\n" for row in rows)
    return SimpleUploadedFile("spesa.csv", text.encode("utf-8"), content_type="text/csv")


def _state():
    return sorted(MunicipalSpending.objects.values_list(
        "municipality_id", "year", "amount", "amount_single", "amount_associated"))


def test_import_bad_rows_refused_nothing_saved(client, world):
    login(client, world, "staff_a")
    name = world.a[Municipality].name
    before, people = _state(), PopulationFigure.objects.count()
    url = reverse("planning:spending_import", args=[world.a.ambito.slug])
    response = client.post(url, {"file": _csv([
        [name, "2029", "1.000,00", "600,00", "400,00", "1000"],
        [name, "2028", "mille", "", "", ""],
        ["Comune beta", "2029", "10,00", "", "", ""],
        [name, "2029", "5,00", "", "", ""],
        [name, "2027", "100,00", "60,00", "", ""],
    ])})
    body = response.content.decode()
    assert "Importazione rifiutata: nessuna riga è stata salvata" in body
    assert "Riga 3, colonna «Spesa totale»: La spesa totale «mille» non è un numero valido" in body
    assert "Riga 4, colonna «Comune»: «Comune beta» non è un Comune dell&#x27;Ambito alfa." in body
    assert "Riga 5, colonna «Comune»: Comune alfa compare più volte nel file per il 2029." in body
    assert "Riga 6, colonna «Gestione associata»: Indicare sia la gestione singola" in body
    assert _state() == before and PopulationFigure.objects.count() == people


def test_import_good_file_then_confirm(client, world):
    login(client, world, "staff_a")
    municipality = world.a[Municipality]
    url = reverse("planning:spending_import", args=[world.a.ambito.slug])
    response = client.post(url, {"file": _csv([
        [municipality.name.upper(), "2029", "", "1.000,25", "500,00", "1.010"]])})
    assert response.status_code == 200
    token = response.context["token"]
    assert not MunicipalSpending.objects.filter(municipality=municipality, year=2029).exists()
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    spending = MunicipalSpending.objects.get(municipality=municipality, year=2029)
    assert (spending.amount, spending.amount_associated) == (D("1500.25"), D("500.00"))
    assert spending.history.first().history_change_reason == "Importazione da file"
    assert PopulationFigure.objects.get(municipality=municipality, year=2029).value == 1010


def test_template_export_lists_the_comuni(client, world):
    login(client, world, "auditor_a")
    spending = world.a[MunicipalSpending]
    response = client.get(reverse("planning:spending_export",
                                  args=[world.a.ambito.slug, spending.year, "csv"]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Comune;Anno;Spesa totale;Gestione singola")
    assert f"{spending.municipality.name};{spending.year};1000,00" in text
