"""Real browser (issue 21): the classification page of the seed's Consuntivo 2018
(filter, pick lines, apply codes, confirm the fixture's proposals) and the «Debiti
informativi» page (an ISTAT return downloaded and opened, recorded as sent, a sent return
never overwritten); axe at 1280 and 390 px, screenshots for a look.

The live server needs committed data, so this test flushes the database; the seed
documents the rest of the suite relies on are loaded again when the module ends.
"""

import hashlib
import io
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from budget.models import BudgetLine
from classification import selectors
from classification.models import Assignment
from core.roles import Role
from objectives.models import OperatingPlan
from returns.models import SentReturn

from ..browser import check_axe
from ..builders import make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]

SHOTS = Path(tempfile.gettempdir())
UPLINE = Decimal("9286435.65")  # Relazione Consuntivo 2018, uscite


def _rows(page):
    return page.locator("#lines tbody tr[id^=riga-]")


def _line_id(row):
    return int(row.get_attribute("id").removeprefix("riga-"))


def test_classify_confirm_and_send_a_return(db, open_page, settings, tmp_path):
    from seeds.loader import load_all

    load_all()  # a previous live-server test may have flushed the database
    settings.MEDIA_ROOT = str(tmp_path)
    plan = OperatingPlan.objects.select_related("zone_plan__ambito").get(
        zone_plan__ambito__slug="cremasco", year=2018)
    ambito = plan.zone_plan.ambito
    staff = make_user("ufficio.classifica", ambito=ambito, role=Role.STAFF)
    url = f"/piani/{plan.pk}/classificazione/"

    page = open_page("ufficio.classifica")
    page.goto(page.base + url)
    check_axe(page)
    # Filter: objective 2, proposals only (the reviewed fixture's, with their reason).
    page.fill("#f-ob", "2")
    page.select_option("#f-st", "proposta")
    page.click("form[aria-label='Filtra le righe'] button")
    page.wait_for_url(re.compile(r"obiettivo=2"))
    rows = _rows(page)
    count = rows.count()
    assert count >= 2
    for i in range(count):
        assert rows.nth(i).locator("td").nth(1).inner_text().startswith("2.")
        assert rows.nth(i).locator(".status").inner_text() == "proposta"
    assert "Motivazione: Obiettivo 2" in rows.first.inner_text()
    assert f"{count} righe mostrate hanno una classificazione proposta" in page.inner_text(
        "#proposed-count")

    # Pick the first line, give it its own codes: a person's choice, confirmed at once.
    picked = _line_id(rows.first)
    rows.first.locator("input[type=checkbox]").check()
    page.select_option("#id_dimension", "area_utenza")
    page.fill("#id_shares", "FAM 60, POV 40")
    page.fill("#id_reason", "Verificato con l'assistente sociale responsabile")
    page.click("button:text-is('Applica')")
    page.wait_for_selector(".alert-success")
    assert "Classificata 1 riga (Area di utenza (ISTAT))." in page.inner_text(".alert-success")
    own = Assignment.objects.filter(line_id=picked, dimension__code="area_utenza")
    assert sorted((a.code.code, a.share, a.status) for a in own) == [
        ("FAM", Decimal("60.00"), "confermata"), ("POV", Decimal("40.00"), "confermata")]
    check_axe(page)

    # Confirm the remaining proposals of the objective in bulk, with the reason.
    page.goto(page.base + url + "?obiettivo=2&stato=proposta&dimensione=area_utenza")
    rows = _rows(page)
    assert picked not in [_line_id(rows.nth(i)) for i in range(rows.count())]
    ids = [_line_id(rows.nth(i)) for i in range(rows.count())]
    for i in range(rows.count()):
        rows.nth(i).locator("input[type=checkbox]").check()
    page.fill("#id_reason", "Proposte verificate sul Consuntivo 2018")
    page.click("button[name=conferma]")
    page.wait_for_selector(".alert-success")
    assert re.search(r"Confermat[ae] \d+ classificazion[ei] propost[ae]",
                     page.inner_text(".alert-success"))
    assert _rows(page).count() == 0  # none left to confirm with these filters
    effective = selectors.effective_assignments(BudgetLine.objects.filter(pk__in=ids),
                                                "area_utenza")
    confirmed = [a for v in effective.values() for a in v["assignments"]]
    assert confirmed and {a.status for a in confirmed} == {"confermata"}
    record = confirmed[0].history.latest("history_date")
    assert record.history_change_reason == "Proposte verificate sul Consuntivo 2018"
    assert record.history_user == staff
    check_axe(page)
    page.goto(page.base + url + "?obiettivo=2")
    page.screenshot(path=str(SHOTS / "classify-1280.png"), full_page=True)

    phone = open_page("ufficio.classifica", width=390)
    phone.goto(phone.base + url + "?obiettivo=2")
    check_axe(phone)
    phone.screenshot(path=str(SHOTS / "classify-390.png"), full_page=True)

    # Debiti informativi: the ISTAT return downloaded, opened, totalling the uscite.
    page.goto(f"{page.base}/piani/{plan.pk}/debiti-informativi/")
    check_axe(page)
    with page.expect_download() as info:
        page.click("#return-istat a:text-is('xlsx')")
    download = info.value
    assert download.suggested_filename == "istat-cremasco-2018.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved)["Prospetto"]
    total = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Totale generale")
    assert Decimal(str(total[-1])).quantize(Decimal("0.01")) == UPLINE

    # Recorded as sent; a second send is a new record, the first file stays as it was.
    page.fill("#note-istat", "prot. 1234 del 28/02/2019")
    page.click("#return-istat button:text-is('Registra come inviato')")
    page.wait_for_selector(".alert-success")
    first = SentReturn.objects.get(ambito=ambito, year=2018, template__key="istat")
    assert (first.grand_total, first.sent_by, first.note) == (
        UPLINE, staff, "prot. 1234 del 28/02/2019")
    assert "prot. 1234 del 28/02/2019" in page.inner_text("#sent-list")
    first_bytes = Path(first.file.path).read_bytes()
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    page.fill("#note-istat", "rettifica")
    page.click("#return-istat button:text-is('Registra come inviato')")
    page.wait_for_selector(".alert-success")
    assert SentReturn.objects.filter(template__key="istat", ambito=ambito).count() == 2
    first.refresh_from_db()
    assert first.note == "prot. 1234 del 28/02/2019"
    assert Path(first.file.path).read_bytes() == first_bytes
    # The first file as kept, served from the list.
    with page.expect_download() as info:
        page.click(f"#sent-list a[href$='/inviati/{first.pk}/']")
    kept = Path(info.value.path()).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == first.sha256
    assert load_workbook(io.BytesIO(kept))["Prospetto"] is not None
    check_axe(page)
    page.screenshot(path=str(SHOTS / "returns-1280.png"), full_page=True)

    phone.goto(f"{phone.base}/piani/{plan.pk}/debiti-informativi/")
    check_axe(phone)
    phone.screenshot(path=str(SHOTS / "returns-390.png"), full_page=True)
