"""Real browser: close the seed 2018 year from the closing page with the seed destination.

The Consuntivo 2018 is loaded closed with Tab. 3 as its approved destination; the test
puts it back as it stood before its closing (approved, every consuntivo entered), gives
the ambito a PO 2019 with some of the 2018 actions, links the destination's rows to them
from the page, closes the year, and checks that PO 2019 holds the 2018 avanzo as entrate
linked to its actions and that a 2019 closing counts them.

The live server needs committed data, so this test flushes the database; the seed
documents the rest of the suite relies on are loaded again when the module ends.
"""

import re
from decimal import Decimal

import pytest

from budget.models import BudgetLine, FundingAllocation, Surplus
from budget.surplus import year_close_preview
from core import freeze
from core.roles import Role
from objectives.models import Action, Objective, OperatingPlan

from ..browser import check_axe
from ..builders import make_user, set_plan_state

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]

D = Decimal


def _seed_2018_before_its_closing():
    from seeds.loader import load_all

    load_all()  # a previous live-server test may have flushed the database
    plan = OperatingPlan.objects.select_related("zone_plan__ambito").get(
        zone_plan__ambito__slug="cremasco", year=2018)
    with freeze.allow(freeze.LOADING):
        Surplus.objects.filter(plan=plan).delete()
    set_plan_state(plan, "approvato")
    return plan


def _po_2019(plan_2018):
    """PO 2019 in bozza with the 2018 actions some Tab. 3 rows come from, same numbers."""
    po = OperatingPlan.objects.create(zone_plan=plan_2018.zone_plan, year=2019,
                                      title="Piano Operativo 2019", action_numbering="objective")
    actions = {}
    for number, action_numbers in ((8, (3, 5, 6)), (10, (3, 4))):
        objective = Objective.objects.create(plan=po, number=number, title=f"Obiettivo {number}")
        for a in action_numbers:
            actions[(number, a)] = Action.objects.create(objective=objective, number=a,
                                                         title=f"Azione {a}")
    BudgetLine.objects.create(action=actions[(8, 5)], item="Tirocini 2019",
                              preventivo=D("1000.00"), consuntivo=D("800.00"))
    return po, actions


def test_close_2018_from_the_page_with_the_seed_destination(db, open_page):
    plan = _seed_2018_before_its_closing()
    po_2019, actions = _po_2019(plan)
    ambito = plan.zone_plan.ambito
    make_user("ufficio.test", ambito=ambito, role=Role.STAFF)
    url = f"/piani/{plan.pk}/chiusura/"

    phone = open_page("ufficio.test", width=390)
    phone.goto(phone.base + url)
    check_axe(phone)
    # A long page on a phone: from the index of the steps to a step and back.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("#indice >> text=4. Chiusura dell'anno")
    assert phone.url.endswith("#chiusura")
    assert phone.locator("#chiusura").is_visible()
    assert phone.locator(".to-index a[href='#indice']").count() == 5
    phone.locator("section[aria-labelledby=chiusura] .to-index a").click()
    assert phone.url.endswith("#indice")
    page = open_page("ufficio.test")
    page.goto(page.base + f"/piani/{plan.pk}/")
    page.click("text=Chiusura dell'anno")
    page.wait_for_url(re.compile(r"/chiusura/$"))
    check_axe(page)
    assert page.inner_text("#avanzo-gestione").strip() == "869.860,50 €"
    assert page.inner_text("#destination-total").strip() == "869.860,91 €"
    assert "differenza di riconciliazione 0,41 €" in page.inner_text("#reconciliation")

    page.click("text=Collega le righe vincolate alle azioni del Piano Operativo 2019")
    page.wait_for_load_state()
    assert "Righe collegate alle azioni del Piano Operativo 2019: 15." in page.content()
    check_axe(page)
    page.click("label[for=id_confirm]")
    page.click("text=Chiudi l'anno 2018")
    page.wait_for_url(re.compile(rf"/piani/{plan.pk}/$"))
    assert "Piano Operativo 2018 chiuso. L'avanzo entra nel Piano Operativo 2019." in (
        page.content())

    plan.refresh_from_db()
    assert plan.state == "chiuso"
    carried = FundingAllocation.objects.filter(operating_plan=po_2019, kind="avanzo")
    assert carried.count() == 28
    assert sum(carried.values_list("amount", flat=True), D(0)) == D("869860.91")
    linked = {
        (a.action.objective.number, a.action.number): a.action
        for a in carried.filter(action__isnull=False).select_related("action__objective")
    }
    assert set(linked) == {(8, 3), (8, 5), (8, 6), (10, 3), (10, 4)}
    assert all(linked[key] == actions[key] for key in linked)
    by_action = {
        key: sum(carried.filter(action=actions[key]).values_list("amount", flat=True), D(0))
        for key in linked
    }
    assert by_action == {
        (8, 3): D("10347.00"),     # CLAC 8.000 + 1.000 + 1.347
        (8, 5): D("23632.00"),     # Doniamo energia, azioni di rete, azioni di sistema
        (8, 6): D("6000.00"),      # Conciliazione
        (10, 3): D("46844.00"),    # Reddito di autonomia anziani + disabili
        (10, 4): D("335480.97"),   # Dopo di Noi
    }
    unlinked = carried.get(label="Avanzo gestionale 2018 - Gestione e sviluppo software - "
                                 "Piattaforma SS")
    assert unlinked.action is None and "Azioni previste nel PO 2019" in unlinked.note

    # The 2019 closing counts the carried avanzo although the 2019 entrate are accertate.
    FundingAllocation.objects.create(
        ambito=ambito, operating_plan=po_2019, year=2019, stage="consuntivo",
        kind="entrata", label="Comuni 2019", amount=D("500.00"),
    )
    set_plan_state(po_2019, "approvato")
    preview = year_close_preview(plan=po_2019)
    assert (preview.stage, preview.income, preview.spent) == (
        "consuntivo", D("870360.91"), D("800.00"))
    assert preview.total == D("869560.91")
    page.goto(page.base + f"/piani/{po_2019.pk}/chiusura/")
    assert page.inner_text("#avanzo-gestione").strip() == "869.560,91 €"
    check_axe(page)
