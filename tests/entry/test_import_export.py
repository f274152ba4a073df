"""Excel/CSV: formats, formula escaping, all-or-nothing imports with Italian errors, admin."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from budget.models import BudgetLine
from budget.resources import BudgetLineResource
from core.entry.imports import SESSION_KEY
from core.entry.spreadsheets import ItalianCSV, ItalianXLSX, escape_formula
from indicators.models import Measurement

from .conftest import login, urls


def workbook(headers, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.name = "rilevazioni.xlsx"
    out.seek(0)
    return out


MEASURE_HEADERS = ["ID indicatore", "Rilevazione al", "Stato", "Valore", "Nota"]


def test_xlsx_export_has_numbers_italian_formats_and_no_formulas(client, world, entry):
    line = entry["line"]
    BudgetLine.objects.filter(pk=line.pk).update(item="=HYPERLINK(\"http://x\")", note="+39 02")
    login(client, world, "staff_a")
    response = client.get(urls(entry)["budget_export"])
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(headers, sheet[2], strict=False)}
    assert row["Preventivo"].value == 10.05 and row["Preventivo"].data_type == "n"
    assert row["Preventivo"].number_format == "#,##0.00"
    assert row["Voce"].data_type == "s" and row["Voce"].quotePrefix
    assert row["Voce"].value.startswith("=")  # stored as text, never as a formula


def test_csv_export_is_italian_and_escapes_formulas(client, world, entry):
    Measurement.objects.filter(pk=entry["measurement"].pk).update(note="@SUM(A1)",
                                                                  value=Decimal("1234.5"))
    login(client, world, "staff_a")
    text = client.get(urls(entry)["quarter_export"]).content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ID indicatore;")
    assert ";1234,5;" in text
    assert "'@SUM(A1)" in text
    assert escape_formula("-1") == "'-1" and escape_formula("ok") == "ok"


def test_csv_round_trip_reads_semicolons_and_the_escape():
    dataset = ItalianCSV().create_dataset("\ufeffA;B\r\n'=1+1;1.234,5\r\n;\r\n".encode())
    assert dataset.headers == ["A", "B"] and len(dataset) == 1
    assert ItalianXLSX().create_dataset(workbook(["A"], [["x"], [None]]).read()).dict == [
        {"A": "x"}
    ]


def _upload(client, url, rows):
    return client.post(url, {"file": workbook(MEASURE_HEADERS, rows)})


def test_measurement_import_bad_row_writes_nothing_and_names_row_and_column(client, world,
                                                                           entry):
    login(client, world, "referent_a")
    indicator = entry["indicator"]
    response = _upload(client, urls(entry)["quarter_import"], [
        [indicator.pk, "30/06/2030", "", 5, ""],
        [indicator.pk, "30/09/2030", "", "molti", ""],
    ])
    content = response.content.decode()
    assert "Riga 3, colonna «Valore»" in content and "non è un numero valido" in content
    assert "nessuna riga è stata salvata" in content
    assert Measurement.objects.filter(indicator=indicator).count() == 1


def test_measurement_import_preview_then_confirm(client, world, entry):
    login(client, world, "referent_a")
    indicator = entry["indicator"]
    response = _upload(client, urls(entry)["quarter_import"], [
        [indicator.pk, "31/03/2030", "", 8, ""],
        [indicator.pk, "30/06/2030", "N.D.", "", "non pervenuto"],
        [indicator.pk, "30/09/2030", "", "", ""],
    ])
    content = response.content.decode()
    assert "Anteprima" in content and "Conferma l'importazione" in content
    assert Measurement.objects.get(indicator=indicator, period_end="2030-03-31").value == 7
    token = next(iter(client.session[SESSION_KEY]))
    response = client.post(urls(entry)["quarter_import"], {"token": token})
    assert response.status_code == 302
    assert Measurement.objects.get(indicator=indicator, period_end="2030-03-31").value == 8
    nd = Measurement.objects.get(indicator=indicator, period_end="2030-06-30")
    assert nd.state == "nd" and nd.history.first().history_user == world.user("referent_a")
    assert not Measurement.objects.filter(indicator=indicator, period_end="2030-09-30").exists()


def test_import_refuses_rows_outside_scope(client, world, entry):
    login(client, world, "referent_a")
    foreign = [entry["other_indicator"].pk, world.b[Measurement].indicator_id]
    response = _upload(client, urls(entry)["quarter_import"],
                       [[pk, "31/03/2030", "", 1, ""] for pk in foreign])
    content = response.content.decode()
    assert content.count("non è tra quelli che puoi aggiornare") == 2
    assert not Measurement.objects.filter(indicator_id=entry["other_indicator"].pk).exists()


def test_confirm_token_is_bound_to_the_page(client, world, entry):
    login(client, world, "staff_a")
    response = client.post(urls(entry)["quarter_import"], {"token": "forged"})
    assert response.status_code == 403


def test_budget_import_round_trip_with_preview(client, world, entry):
    login(client, world, "staff_a")
    exported = client.get(urls(entry)["budget_export"]).content
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Preventivo") + 1, value="1.500,00")
    sheet.cell(row=2, column=headers.index("Canale") + 1, value="fnps")
    sheet.append([None, "Ambito alfa", 2030, 1, 1, None, "Voce nuova", "", "", 12.5, None])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "budget.xlsx"
    response = client.post(urls(entry)["budget_import"], {"file": out})
    content = response.content.decode()
    assert "righe nuove" not in content and "<strong>1</strong> riga nuova" in content
    token = next(iter(client.session[SESSION_KEY]))
    assert client.post(urls(entry)["budget_import"], {"token": token}).status_code == 302
    line = entry["line"]
    line.refresh_from_db()
    assert line.preventivo == Decimal("1500.00") and line.channel == entry["channel"]
    assert BudgetLine.objects.get(item="Voce nuova").preventivo == Decimal("12.50")


def test_budget_import_bad_channel_is_named(world, entry):
    resource = BudgetLineResource(user=world.user("staff_a"), objective=entry["objective"])
    dataset = resource.export_dataset(BudgetLine.objects.filter(pk=entry["line"].pk))
    row = list(dataset[0])
    row[dataset.headers.index("Canale")] = "XYZ"
    dataset[0] = row  # noqa: B909
    from core.entry.imports import run_import
    from core.entry.spreadsheets import import_messages

    result = run_import(resource, dataset, user=world.user("staff_a"), dry_run=False)
    messages = import_messages(result, resource)
    assert messages == ["Riga 2, colonna «Canale»: il canale «XYZ» non esiste nell'ambito."]


@pytest.mark.parametrize("role, allowed", [("staff_a", True), ("referent_a", True),
                                           ("auditor_a", False), ("assembly_a", False)])
def test_admin_import_respects_scope(client, world, entry, role, allowed):
    login(client, world, role)
    url = reverse("admin:indicators_measurement_import")
    assert (client.get(url).status_code == 200) is allowed
    export = reverse("admin:indicators_measurement_export")
    assert client.get(export).status_code == 200


def test_admin_import_is_atomic(client, world, entry):
    login(client, world, "staff_a")
    indicator = entry["indicator"]
    url = reverse("admin:indicators_measurement_import")
    response = client.post(url, {
        "format": 0, "resource": 0,
        "import_file": workbook(MEASURE_HEADERS, [[indicator.pk, "30/06/2030", "", 3, ""],
                                                 [indicator.pk, "30/06/2031", "", 4, ""]]),
    })
    content = response.content.decode()
    assert "31/03, 30/06, 30/09 o 31/12" in content
    assert "Conferma" not in content or "confirm" not in content
    assert not Measurement.objects.filter(indicator=indicator, period_end="2030-06-30").exists()


def test_admin_import_confirm_writes_all_rows(client, world, entry):
    login(client, world, "staff_a")
    indicator = entry["indicator"]
    response = client.post(reverse("admin:indicators_measurement_import"), {
        "format": 0, "resource": 0,
        "import_file": workbook(MEASURE_HEADERS, [[indicator.pk, "30/06/2030", "", 3, ""],
                                                 [indicator.pk, "30/09/2030", "N.D.", "", ""]]),
    })
    confirm = response.context["confirm_form"]
    assert confirm is not None
    data = {name: confirm.initial.get(name, "") for name in confirm.fields}
    response = client.post(reverse("admin:indicators_measurement_process_import"), data)
    assert response.status_code == 302
    assert Measurement.objects.filter(indicator=indicator).count() == 3
