"""Real browser: the entrate page of the seed's PO 2018 (cremasco), approved again to
record an entrata accertata; axe at 1280 and 390 px, screenshots for a look.

The live server needs committed data, so this test flushes the database; the seed
documents the rest of the suite relies on are loaded again when the module ends.
"""

import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from budget.models import FundingAllocation
from budget.selectors import allocation_totals
from core.formatting import format_euro
from core.roles import Role
from objectives.models import OperatingPlan

from ..browser import check_axe
from ..builders import make_user, set_plan_state

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]

D = Decimal
SHOTS = Path(tempfile.gettempdir())


def test_income_page_records_an_accertata(db, open_page):
    from seeds.loader import load_all

    load_all()  # a previous live-server test may have flushed the database
    plan = OperatingPlan.objects.select_related("zone_plan__ambito").get(
        zone_plan__ambito__slug="cremasco", year=2018)
    set_plan_state(plan, "approvato")  # the year before its closing
    ambito = plan.zone_plan.ambito
    make_user("ufficio.entrate", ambito=ambito, role=Role.STAFF)
    make_user("assemblea.entrate", ambito=ambito, role=Role.ASSEMBLY)
    before = allocation_totals(ambito=ambito, year=2018, stage="consuntivo")

    page = open_page("ufficio.entrate")
    page.goto(f"{page.base}/piani/{plan.pk}/")
    page.click("#income-link")
    page.wait_for_url(re.compile(r"/entrate/$"))
    check_axe(page)
    assert page.inner_text("#accertate-net").strip() == format_euro(before["net"])
    page.click("#add-accertate")
    page.wait_for_url(re.compile(r"/entrate/nuova/$"))
    page.fill("#id_label", "Contributo straordinario accertato")
    page.fill("#id_amount", "-3")
    page.click("form[novalidate] button[type=submit]")
    assert "non può essere negativo" in page.inner_text("#id_amount_error")
    check_axe(page)
    page.fill("#id_amount", "12.345,67")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_selector(".alert-success")
    created = FundingAllocation.objects.get(label="Contributo straordinario accertato")
    assert (created.stage, created.amount) == ("consuntivo", D("12345.67"))
    after = allocation_totals(ambito=ambito, year=2018, stage="consuntivo")
    assert after["net"] - before["net"] == D("12345.67")
    assert page.inner_text("#accertate-net").strip() == format_euro(after["net"])
    page.screenshot(path=str(SHOTS / "income-1280.png"), full_page=True)

    phone = open_page("assemblea.entrate", width=390)
    phone.goto(f"{phone.base}/piani/{plan.pk}/entrate/")
    check_axe(phone)
    assert "Aggiungi" not in phone.inner_text("main")
    phone.screenshot(path=str(SHOTS / "income-390.png"), full_page=True)
    phone.goto(f"{phone.base}/piani/{plan.pk}/entrate/#canali")
    phone.screenshot(path=str(SHOTS / "income-390-top.png"))
    staff_phone = open_page("ufficio.entrate", width=390)
    staff_phone.goto(f"{staff_phone.base}/piani/{plan.pk}/entrate/{created.pk}/")
    check_axe(staff_phone)
    staff_phone.goto(f"{staff_phone.base}/piani/{plan.pk}/consuntivo/importa/")
    check_axe(staff_phone)
    page.goto(f"{page.base}/piani/{plan.pk}/consuntivo/importa/")
    check_axe(page)
