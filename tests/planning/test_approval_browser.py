"""Real browser: approve a bozza plan with a new act, then one variation from the grid.

The live server needs committed data, so this test flushes the database; the seed
documents the rest of the suite relies on are loaded again when the module ends.
"""

import os
import re
import tempfile
from decimal import Decimal

import pytest

from budget.models import BudgetLine, Variation
from governance.models import Deliberation
from objectives.models import Objective, OperatingPlan

from ..browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]

SHOTS = os.environ.get("SCREENSHOTS_DIR") or tempfile.gettempdir()


def shot(page, name):
    check_axe(page)
    width = page.viewport_size["width"]
    page.screenshot(path=f"{SHOTS}/approval-browser-{name}-{width}.png", full_page=True)


def confirm(page):
    # Bootstrap Italia draws the box on the label; a re-shown form keeps it ticked.
    if not page.is_checked("#id_confirm"):
        page.click("label[for=id_confirm]")


def test_approve_with_a_new_act_then_vary_a_line(world, open_page, tmp_path):
    plan = world.a[OperatingPlan]
    objective, line = world.a[Objective], world.a[BudgetLine]
    Variation.objects.all().delete()  # the builders' sample rows
    act_pdf = tmp_path / "delibera-5-2030.pdf"
    act_pdf.write_bytes(b"%PDF-1.4 delibera dell'Assemblea")

    # Every page of the task, at a phone's width too.
    phone = open_page("staff_a", width=390)
    for path, name in ((f"/piani/{plan.pk}/approvazione/", "approval"),
                       (f"/ambiti/{world.a.ambito.slug}/atti/", "acts"),
                       (f"/ambiti/{world.a.ambito.slug}/atti/nuovo/", "act-new")):
        phone.goto(phone.base + path)
        shot(phone, name)

    page = open_page("staff_a")
    page.goto(f"{page.base}/piani/{plan.pk}/")
    page.click("text=Approva il piano")
    page.wait_for_url(re.compile(r"/approvazione/$"))
    shot(page, "approval")
    # nothing blocks this plan; first try with an act dated before the plan's year
    assert "Nulla" in page.inner_text("#blockers")
    page.select_option("#id_body", label=world.a[Objective].plan.zone_plan.ambito.bodies
                       .get(kind="assemblea_sindaci").name)
    page.fill("#id_number", "5/2030")
    page.fill("#id_date", "2029-12-20")
    page.set_input_files("#id_act", str(act_pdf))
    confirm(page)
    page.click("button:has-text('Approva il piano')")
    page.wait_for_selector("#form-errors")
    assert "dal 01/01/2030" in page.inner_text("#id_date_error")
    shot(page, "approval-error")
    plan.refresh_from_db()
    assert plan.state == "bozza"

    page.fill("#id_date", "2030-03-10")
    page.set_input_files("#id_act", str(act_pdf))
    confirm(page)
    page.click("button:has-text('Approva il piano')")
    page.wait_for_selector(".alert-success")
    plan.refresh_from_db()
    act = Deliberation.objects.get(number="5/2030")
    assert (plan.state, plan.approval) == ("approvato", act)
    assert act.act.read().startswith(b"%PDF-")
    shot(page, "plan-approved")

    # One variation from the budget grid: the line is the one clicked.
    page.goto(f"{page.base}/obiettivi/{objective.pk}/budget/")
    shot(page, "grid")
    page.click(f"a[href='/righe/{line.pk}/variazione/']")
    page.wait_for_url(re.compile(r"/variazione/$"))
    assert page.inner_text("#approved-preventivo") == "10,05 €"
    shot(page, "variation")
    page.fill("#id_new_amount", "1.010,05")
    page.fill("#id_reason", "Estensione del servizio")
    page.click("label[for=id_mode_1]")  # the act just registered
    page.select_option("#id_existing", str(act.pk))
    page.click("button:has-text('Registra la variazione')")
    page.wait_for_selector(".alert-success")
    line.refresh_from_db()
    assert line.preventivo == Decimal("1010.05")
    variation = Variation.objects.get()
    assert variation.difference == Decimal("1000.00") and variation.deliberation == act

    page.goto(f"{page.base}/piani/{plan.pk}/variazioni/")
    assert page.inner_text("#total-difference") == "1.000,00 €"
    assert page.inner_text("#plan-approved") == "20,10 €"
    assert page.inner_text("#plan-current") == "1.020,10 €"
    shot(page, "variations")
    page.emulate_media(media="print")
    page.screenshot(path=f"{SHOTS}/approval-browser-variations-print.png", full_page=True)
    assert not page.is_visible(".it-header-wrapper")
    page.emulate_media(media="screen")

    phone.goto(f"{phone.base}/righe/{line.pk}/variazione/")
    shot(phone, "variation")
    phone.goto(f"{phone.base}/piani/{plan.pk}/variazioni/")
    shot(phone, "variations")
    phone.goto(f"{phone.base}/atti/{act.pk}/")
    shot(phone, "act")
    assert "Piani Operativi approvati" in phone.inner_text("main")
