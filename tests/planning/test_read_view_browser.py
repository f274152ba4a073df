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


def test_revisore_reads_the_plan_pages(world, open_page):
    """The plan's own pages (closing, approval, entrate, structure, acts) as read views."""
    from tests.builders import set_plan_state

    plan = world.a[OperatingPlan]
    set_plan_state(plan, "approvato")
    pages = (("closing", f"/piani/{plan.pk}/chiusura/", "Avanzo non vincolato"),
             ("approval", f"/piani/{plan.pk}/approvazione/", "Atto di approvazione"),
             ("income", f"/piani/{plan.pk}/entrate/", "100,00 €"),
             ("structure", f"/piani/{plan.pk}/struttura/", "Obiettivo alfa"),
             ("acts", f"/ambiti/{world.a.ambito.slug}/atti/", "Approvazione"))
    for width in (1280, 390):
        page = open_page("auditor_a", width=width)
        for name, path, shown in pages:
            response = page.goto(page.base + path)
            assert response.status == 200, path
            page.screenshot(path=f"{SHOTS}/read-view-plan-{name}-{width}.png", full_page=True)
            main = page.locator("main")
            assert shown in main.inner_text(), name
            assert page.locator("main form[method=post]").count() == 0, name
            # The acts' search is the only form a reader gets (a GET).
            outside_search = ":not(form[method=get] *)"
            assert page.locator(f"main input:not([type=hidden]){outside_search}, "
                                f"main select{outside_search}, main textarea").count() == 0
            if name in ("closing", "approval", "income"):
                assert "Sola lettura." in main.inner_text()
                assert page.get_by_role("button", name="Stampa").is_visible()
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{name} at {width}px is {overflow}px wide"
            check_axe(page)
