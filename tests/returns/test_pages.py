"""The staff pages: classify lines in bulk (with history), the debiti informativi page,
downloads that open, a sent return recorded."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budget.models import BudgetLine
from classification import selectors
from classification.models import Assignment
from objectives.models import OperatingPlan
from returns.models import SentReturn


@pytest.fixture
def staff(client, world):
    client.force_login(world.user("staff_a"))
    return client


@pytest.mark.django_db
def test_bulk_classification_applies_the_split_with_its_reason(staff, world):
    plan = world.a[OperatingPlan]
    lines = list(BudgetLine.objects.filter(action__objective__plan=plan))
    url = reverse("returns:classify", args=[plan.pk])
    response = staff.post(url, {"dimension": "area_utenza", "shares": "FAM 60, DIS 40",
                                "reason": "Verificato sul PdZ",
                                "lines": [line.pk for line in lines]})
    assert response.status_code == 302
    effective = selectors.effective_classification(
        BudgetLine.objects.filter(pk__in=[line.pk for line in lines]), "area_utenza")
    assert all(v == [("FAM", Decimal("60.00")), ("DIS", Decimal("40.00"))]
               for v in effective.values())
    record = Assignment.history.filter(line=lines[0]).latest("history_date")
    assert record.history_change_reason == "Verificato sul PdZ"
    assert record.history_user == world.user("staff_a")
    page = staff.get(url + "?dimensione=area_utenza")
    assert "Classificate 2 righe (Area di utenza (ISTAT))." in page.content.decode()


@pytest.mark.django_db
def test_bulk_classification_refuses_a_bad_split_and_changes_nothing(staff, world):
    plan = world.a[OperatingPlan]
    line = world.a[BudgetLine]
    before = Assignment.objects.filter(line=line).count()
    response = staff.post(reverse("returns:classify", args=[plan.pk]), {
        "dimension": "area_utenza", "shares": "FAM 60, DIS 30", "reason": "x",
        "lines": [line.pk]})
    assert response.status_code == 400
    assert "Le quote sommano 90,00 %: devono fare 100 %." in response.content.decode()
    assert Assignment.objects.filter(line=line).count() == before


@pytest.mark.django_db
def test_returns_page_downloads_and_records_a_sent_return(staff, world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    plan = world.a[OperatingPlan]
    BudgetLine.objects.filter(action__objective__plan=plan).update(consuntivo=Decimal("10.05"))
    page = staff.get(reverse("returns:returns", args=[plan.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "ISTAT – Interventi e servizi sociali" in text and "20,10 €" in text
    download = staff.get(reverse("returns:download", args=[plan.pk, "istat", "xlsx"]))
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(download.content))["Prospetto"]
    total = [r for r in ws.iter_rows(values_only=True) if r[1] == "Totale generale"][0]
    assert Decimal(str(total[-1])) == Decimal("20.10")
    before = SentReturn.objects.count()
    response = staff.post(reverse("returns:send", args=[plan.pk]),
                          {"template": "istat", "fmt": "xlsx", "note": "prot. 12"})
    assert response.status_code == 302
    assert SentReturn.objects.count() == before + 1
    sent = SentReturn.objects.latest("sent_at")
    assert sent.note == "prot. 12" and sent.grand_total == Decimal("20.10")
    assert "prot. 12" in staff.get(reverse("returns:returns", args=[plan.pk])).content.decode()


@pytest.mark.django_db
def test_staff_confirms_proposed_classification_with_history(staff, world):
    plan = world.a[OperatingPlan]
    line = world.a[BudgetLine]
    from classification import services
    services.classify(user=world.user("staff_a"), action=line.action, line=line,
                      dimension="area_utenza", shares=[("ANZ", "100")], reason="proposta",
                      status=Assignment.Status.PROPOSED)
    url = reverse("returns:classify", args=[plan.pk])
    response = staff.post(url, {"conferma": "1", "dimension": "area_utenza",
                                "reason": "Verificata sul PdZ", "lines": [line.pk]})
    assert response.status_code == 302
    row = Assignment.objects.get(line=line, dimension__code="area_utenza")
    assert row.status == Assignment.Status.CONFIRMED
    record = row.history.latest("history_date")
    assert record.history_change_reason == "Verificata sul PdZ"
    assert record.history_user == world.user("staff_a")
    page = staff.get(url).content.decode()
    assert "Confermata 1 classificazione proposta (Area di utenza (ISTAT))." in page
    # Without a reason nothing is confirmed.
    services.classify(user=world.user("staff_a"), action=line.action, line=line,
                      dimension="area_utenza", shares=[("DIS", "100")], reason="altra",
                      status=Assignment.Status.PROPOSED)
    staff.post(url, {"conferma": "1", "dimension": "area_utenza", "reason": "",
                     "lines": [line.pk]})
    assert Assignment.objects.get(line=line).status == Assignment.Status.PROPOSED


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor_a", "referent_a", "assembly_a"])
def test_others_may_not_confirm(client, world, role):
    plan = world.a[OperatingPlan]
    line = world.a[BudgetLine]
    from classification import services
    services.classify(user=world.user("staff_a"), action=line.action, line=line,
                      dimension="area_utenza", shares=[("ANZ", "100")], reason="proposta",
                      status=Assignment.Status.PROPOSED)
    client.force_login(world.user(role))
    response = client.post(reverse("returns:classify", args=[plan.pk]), {
        "conferma": "1", "dimension": "area_utenza", "reason": "x", "lines": [line.pk]})
    assert response.status_code == 403
    assert Assignment.objects.get(line=line).status == Assignment.Status.PROPOSED


@pytest.mark.django_db
def test_page_marks_proposed_with_reason_and_confirmed(staff, world):
    """A proposal from the reviewed fixture shows its reason until a person confirms it;
    codes a person applies on the page are confirmed at once."""
    plan = world.a[OperatingPlan]
    line = world.a[BudgetLine]
    from classification import services
    services.classify(user=world.user("staff_a"), action=line.action, line=line,
                      dimension="area_utenza", shares=[("ANZ", "100")],
                      reason="Dal testo: «servizio di assistenza domiciliare anziani»",
                      status=Assignment.Status.PROPOSED)
    url = reverse("returns:classify", args=[plan.pk])
    row_html = _row(staff.get(url + "?stato=proposta").content.decode(), line)
    assert "proposta</span>" in row_html and "della riga" in row_html
    assert "Motivazione: Dal testo: «servizio di assistenza domiciliare anziani»" in row_html
    assert f'id="riga-{line.pk}"' not in staff.get(url + "?stato=confermata").content.decode()
    staff.post(url, {"conferma": "1", "dimension": "area_utenza", "reason": "Verificata",
                     "lines": [line.pk]})
    page = staff.get(url).content.decode()
    row_html = _row(page, line)
    assert "confermata</span>" in row_html and "Motivazione:" not in row_html
    assert f'id="riga-{line.pk}"' not in staff.get(url + "?stato=proposta").content.decode()
    # Applied by a person on the page: confirmed, not a proposal.
    other = BudgetLine.objects.filter(action__objective__plan=plan).exclude(pk=line.pk).first()
    staff.post(url, {"dimension": "area_utenza", "shares": "DIS", "reason": "Scelta",
                     "lines": [other.pk]})
    row = Assignment.objects.get(line=other, dimension__code="area_utenza")
    assert (row.status, row.reason) == (Assignment.Status.CONFIRMED, "Scelta")
    assert "confermata</span>" in _row(staff.get(url).content.decode(), other)


def _row(page, line):
    start = page.index(f'<tr id="riga-{line.pk}">')
    return page[start:page.index("</tr>", start)]
