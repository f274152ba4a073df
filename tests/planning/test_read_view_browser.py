"""Real browser (issue 18): a revisore opens an objective's budget and the quarterly page
at 1280 and 390 px: a read view with the figures, print and export, no form field, no
axe-core violation of any impact, nothing wider than the screen.

The live server needs committed data, so this test flushes the database; the seed
documents the rest of the suite relies on are loaded again when the module ends.
"""

import os
import tempfile

import pytest

from budget.selectors import objective_totals
from core.formatting import format_euro
from objectives.models import Objective, OperatingPlan

from ..browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]

SHOTS = os.environ.get("SCREENSHOTS_DIR") or tempfile.gettempdir()


def test_revisore_reads_the_grid_and_the_quarter(world, open_page):
    # Both widths in one test: one world (a live-server test flushes the database after it).
    for width in (1280, 390):
        check_read_views(world, open_page, width)


def check_read_views(world, open_page, width):
    plan = world.a[OperatingPlan]
    objective = world.a[Objective]
    total = format_euro(objective_totals(objective=objective)["preventivo"])
    page = open_page("auditor_a", width=width)
    for path, name in ((f"/obiettivi/{objective.pk}/budget/", "budget"),
                       (f"/piani/{plan.pk}/rilevazioni/1/", "quarter")):
        response = page.goto(page.base + path)
        assert response.status == 200, path
        page.screenshot(path=f"{SHOTS}/read-view-{name}-{width}.png", full_page=True)
        main = page.locator("main")
        assert "Sola lettura." in main.inner_text()
        assert page.locator("main input:not([type=hidden]), main select, main textarea"
                            ).count() == 0
        assert page.get_by_role("button", name="Stampa").is_visible()
        assert page.get_by_role("link", name="Scarica in Excel (.xlsx)").is_visible()
        if name == "budget":
            assert page.locator("#total-preventivo").inner_text().strip() == total
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} at {width}px is {overflow}px wide"
        check_axe(page)
