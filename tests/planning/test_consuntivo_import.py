"""The consuntivo of a whole approved plan from its Excel export, in one go.

Only the «Consuntivo» column is applied; a changed preventivo (voce, canale, nota) or a
new row is refused row by row with the reason, and nothing is written."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from budget.models import BudgetLine
from budget.selectors import plan_totals
from objectives.models import Action, OperatingPlan

from ..builders import set_plan_state

D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def plan(world):
    plan = world.a[OperatingPlan]
    action = world.a[Action]
    for n, amount in enumerate(("1234.56", "0.01", "99999.99"), start=10):
        BudgetLine.objects.create(action=action, item=f"Voce {n}", preventivo=D(amount),
                                  position=n)
    set_plan_state(plan, "approvato")
    plan.refresh_from_db()
    return plan


@pytest.fixture
def staff(client, world):
    client.force_login(world.user("staff_a"))
    return client


def exported(client, plan):
    response = client.get(reverse("planning:carry_budget_export", args=[plan.pk, "xlsx"]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload(client, plan, workbook, name="consuntivo.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(reverse("planning:consuntivo_import", args=[plan.pk]),
                       {"file": SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)})


def fill(workbook, amounts):
    """Type the consuntivo of each line (by «ID riga») as staff would, 1.234,56 style."""
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    id_col, cons_col = headers.index("ID riga"), headers.index("Consuntivo")
    for row in sheet.iter_rows(min_row=2):
        pk = int(row[id_col].value)
        row[cons_col].value = amounts[pk]
    return headers


def consuntivi(plan):
    return dict(BudgetLine.objects.filter(action__objective__plan=plan)
                .values_list("pk", "consuntivo"))


def test_whole_plan_consuntivo_in_one_go(staff, plan):
    lines = BudgetLine.objects.filter(action__objective__plan=plan).order_by("pk")
    wanted = {line.pk: line.preventivo - D("0.01") if line.preventivo >= D("1") else D("0.00")
              for line in lines}
    # one as a typed Italian string, the others as numbers
    first = lines[0].pk
    typed = {pk: (f"{v:.2f}".replace(".", ",") if pk == first else float(v))
             for pk, v in wanted.items()}
    workbook = exported(staff, plan)
    fill(workbook, typed)
    response = upload(staff, plan, workbook)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Anteprima" in body and "Nulla è ancora stato salvato" in body
    assert consuntivi(plan) == dict.fromkeys(wanted)  # the preview wrote nothing
    token = response.context["token"]
    response = staff.post(reverse("planning:consuntivo_import", args=[plan.pk]),
                          {"token": token})
    assert response.status_code == 302
    assert consuntivi(plan) == wanted
    expected = sum(wanted.values(), D(0))
    assert plan_totals(plan=plan)["consuntivo"] == expected
    assert expected == D("1234.55") + D("0.00") + D("99999.98") + 2 * D("10.04")
    assert lines.aggregate(s=Sum("preventivo"))["s"] == D("101254.66")  # untouched


@pytest.mark.parametrize("column, value, reason", [
    ("Preventivo", 1300.00, "il preventivo non si cambia qui"),
    ("Voce", "Voce rinominata", "la voce non si cambia qui"),
])
def test_a_changed_budget_field_refused_nothing_written(staff, plan, column, value, reason):
    before = consuntivi(plan)
    workbook = exported(staff, plan)
    headers = fill(workbook, {pk: 5.55 for pk in before})
    sheet = workbook.active
    sheet.cell(row=3, column=headers.index(column) + 1).value = value
    response = upload(staff, plan, workbook)
    body = response.content.decode().replace("&#x27;", "'")
    assert "Importazione rifiutata: nessuna riga è stata salvata" in body
    assert (f"Riga 3: {reason} (il Piano Operativo {plan.year} è approvato: si modifica "
            "solo con una variazione).") in body
    assert "token" not in response.context or not response.context.get("token")
    assert consuntivi(plan) == before


def test_a_new_row_refused(staff, plan):
    before = consuntivi(plan)
    workbook = exported(staff, plan)
    headers = fill(workbook, {pk: 1 for pk in before})
    sheet = workbook.active
    last = [c.value for c in sheet[2]]
    last[headers.index("ID riga")] = None
    sheet.append(last)
    body = upload(staff, plan, workbook).content.decode().replace("&#x27;", "'")
    assert "una riga nuova non si aggiunge qui (il Piano Operativo" in body
    assert consuntivi(plan) == before


def test_only_on_approved_plans_and_only_staff(client, world, plan):
    url = reverse("planning:consuntivo_import", args=[plan.pk])
    for role, status in (("staff_a", 200), ("referent_a", 403), ("assembly_a", 403),
                         ("auditor_a", 403), ("staff_b", 404)):
        client.force_login(world.user(role))
        assert client.get(url).status_code == status, role
    client.force_login(world.user("staff_a"))
    set_plan_state(plan, "bozza")
    assert client.get(url).status_code == 403
    set_plan_state(plan, "chiuso")
    assert client.get(url).status_code == 403
