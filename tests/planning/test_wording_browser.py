"""Real browser: the cruscotto of the seed's PO 2018 names its channels and objectives, and
an admin change page with inline rows (the same plan as a draft, its 15 objectives) has
every input named; axe at 1280 and 390 px (issue 18, points 5 and 6).

The live server needs committed data, so this test flushes the database; the seed
documents the rest of the suite relies on are loaded again when the module ends.
"""

import tempfile
from pathlib import Path

import pytest

from budget.models import FundingChannel
from core.roles import Role
from objectives.models import OperatingPlan

from ..browser import check_axe
from ..builders import make_user, set_plan_state

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]

SHOTS = Path(tempfile.gettempdir())


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_and_admin_inlines_read_right(db, open_page, width):
    from seeds.loader import load_all

    load_all()  # a previous live-server test may have flushed the database
    po2018 = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)
    ambito = po2018.zone_plan.ambito
    make_user("ufficio.parole", ambito=ambito, role=Role.STAFF)
    page = open_page("ufficio.parole", width=width)

    page.goto(f"{page.base}/piani/{po2018.pk}/cruscotto/")
    chart = page.inner_text("section[aria-labelledby=channels-title] .chart-bars")
    assert "Dopo di Noi (L.112/2016)" in chart and "Senza canale" not in chart
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    for channel in FundingChannel.objects.filter(ambito=ambito):
        if channel.label != channel.code:
            assert channel.code not in text, channel.code
    assert "Senza canale: 8.794.438,27 €" in page.inner_text("#unassigned-note")
    bars = page.locator("section[aria-labelledby=objectives-title] .chart-bars .fw-semibold")
    assert bars.first.inner_text() == "1 · Cartella Sociale"
    page.screenshot(path=SHOTS / f"wording-dashboard-{width}.png", full_page=True)
    check_axe(page)

    set_plan_state(po2018, "bozza")  # a draft's objectives are editable inline rows
    page.goto(f"{page.base}/admin/objectives/operatingplan/{po2018.pk}/change/")
    assert page.get_attribute("#id_objectives-0-title", "aria-label") == "Titolo, riga 1"
    assert page.get_attribute("#id_objectives-2-area", "aria-label").endswith(", riga 3")
    assert "Model name" not in page.content()
    page.screenshot(path=SHOTS / f"wording-admin-inlines-{width}.png", full_page=True)
    check_axe(page)
