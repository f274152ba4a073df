"""Last year's Excel export imported into the new plan: rows matched by natural key."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse

from budget.models import BudgetLine
from core.entry.imports import SESSION_KEY
from core.roles import Role
from objectives.models import Objective, OperatingPlan
from objectives.services import Amounts, Carry, plan_create_from

from ..builders import make_user

D = Decimal


@pytest.fixture
def po2018(db):
    return OperatingPlan.objects.select_related("zone_plan__ambito").get(
        zone_plan__ambito__slug="cremasco", year=2018
    )


@pytest.fixture
def staff(po2018):
    return make_user("ufficio.import", ambito=po2018.zone_plan.ambito, role=Role.STAFF)


def lines(plan):
    return BudgetLine.objects.filter(action__objective__plan=plan)


def total(plan):
    return lines(plan).aggregate(t=Sum("preventivo"))["t"]


def export(client, url):
    response = client.get(url)
    assert response.status_code == 200
    extension = url.rsplit(".", 1)[-1]
    return SimpleUploadedFile(f"budget-2018.{extension}", response.content)


def import_file(client, url, upload):
    response = client.post(url, {"file": upload})
    content = response.content.decode()
    if SESSION_KEY not in client.session or not client.session[SESSION_KEY]:
        return response, content
    token = next(iter(client.session[SESSION_KEY]))
    return client.post(url, {"token": token}), content


def test_po_2018_export_into_po_2019_matches_every_line(client, po2018, staff):
    po2019 = plan_create_from(source=po2018, year=2019, user=staff,
                              carry=Carry(amounts=Amounts.NONE))
    assert total(po2019) == D("0.00")
    client.force_login(staff)
    upload = export(client, reverse("planning:carry_budget_export", args=[po2018.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(upload.read())).active
    assert sheet.max_row == 167 and sheet["A2"].value in set(lines(po2018).values_list("pk",
                                                                                       flat=True))
    upload.seek(0)
    url = reverse("planning:carry_budget_import", args=[po2019.pk])
    response, preview = import_file(client, url, upload)
    assert "Il file viene da un altro piano (Piano Operativo 2018): 166 righe abbinate" in preview
    assert "0 aggiunte come righe nuove" in preview
    assert response.status_code == 302
    assert lines(po2019).count() == 166
    assert total(po2019) == total(po2018) == D("10284455.13")  # to the cent
    assert not lines(po2019).filter(consuntivo__isnull=False).exists()
    assert lines(po2018).count() == 166 and total(po2018) == D("10284455.13")  # untouched
    changed = lines(po2019).filter(preventivo__gt=0).first()
    assert changed.history.first().history_user == staff
    page = client.get(response["Location"]).content.decode()
    assert "166 modificate" in page or "modificate" in page


def test_lines_missing_in_the_new_plan_are_added(client, po2018, staff):
    po2019 = plan_create_from(source=po2018, year=2019, user=staff, carry=Carry(budget=False))
    client.force_login(staff)
    upload = export(client, reverse("planning:carry_budget_export", args=[po2018.pk, "csv"]))
    response, preview = import_file(
        client, reverse("planning:carry_budget_import", args=[po2019.pk]), upload)
    assert "0 righe abbinate" in preview and "166 aggiunte come righe nuove" in preview
    assert response.status_code == 302
    assert total(po2019) == D("10284455.13") and lines(po2019).count() == 166


def test_objective_page_accepts_last_years_objective_export(client, po2018, staff):
    po2019 = plan_create_from(source=po2018, year=2019, user=staff,
                              carry=Carry(amounts=Amounts.NONE))
    old = Objective.objects.get(plan=po2018, number=1)
    new = Objective.objects.get(plan=po2019, number=1)
    client.force_login(staff)
    upload = export(client, reverse("budget:export", args=[old.pk, "xlsx"]))
    response, preview = import_file(client, reverse("budget:import", args=[new.pk]), upload)
    assert "la riga con ID" not in preview and response.status_code == 302
    old_total = BudgetLine.objects.filter(action__objective=old).aggregate(t=Sum("preventivo"))
    new_total = BudgetLine.objects.filter(action__objective=new).aggregate(t=Sum("preventivo"))
    assert new_total["t"] == old_total["t"] > 0


def test_rows_of_another_ambito_or_unknown_actions_are_still_refused(client, po2018, staff,
                                                                     world):
    po2019 = plan_create_from(source=po2018, year=2019, user=staff,
                              carry=Carry(amounts=Amounts.NONE))
    Objective.objects.filter(plan=po2019, number=15).delete()
    foreign = world.a[BudgetLine]
    line = lines(po2018).filter(action__objective__number=15).first()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID riga", "Obiettivo", "Azione", "Voce", "Canale", "Preventivo"])
    sheet.append([foreign.pk, 1, 1, "Voce altrui", "", 5])
    sheet.append([line.pk, 15, line.action.number, line.item, "", 5])
    out = io.BytesIO()
    book.save(out)
    client.force_login(staff)
    response = client.post(reverse("planning:carry_budget_import", args=[po2019.pk]),
                           {"file": SimpleUploadedFile("x.xlsx", out.getvalue())})
    content = response.content.decode()
    assert f"la riga con ID {foreign.pk} non esiste tra quelle che puoi modificare" in content
    assert "dell&#x27;obiettivo 15" in content and "non è tra quelle che puoi modificare" in content
    assert total(po2019) == D("0.00")


@pytest.mark.parametrize("role,status,export", [("assembly", 403, 200), ("referent", 403, 200),
                                                ("auditor", 403, 200), ("other", 404, 404)])
def test_plan_budget_pages_are_for_the_staff(client, po2018, world, role, status, export):
    """The import is the staff's; every role of the ambito downloads the budget (issue 18)."""
    cremasco = po2018.zone_plan.ambito
    user = {
        "assembly": lambda: make_user("s", ambito=cremasco, role=Role.ASSEMBLY),
        "referent": lambda: make_user("r", ambito=cremasco, role=Role.REFERENT),
        "auditor": lambda: make_user("v", ambito=cremasco, role=Role.AUDITOR),
        "other": lambda: world.user("staff_a"),
    }[role]()
    client.force_login(user)
    assert client.get(reverse("planning:carry_budget_import", args=[po2018.pk])).status_code \
        == status
    assert client.get(reverse("planning:carry_budget_export", args=[po2018.pk, "xlsx"])) \
        .status_code == export


def test_closed_plan_refuses_the_import(client, po2018, staff):
    client.force_login(staff)
    response = client.get(reverse("planning:carry_budget_import", args=[po2018.pk]))
    assert response.status_code == 403
