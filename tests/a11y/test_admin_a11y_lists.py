"""axe-core on the admin pages staff read (issue 18): the index, each app's index, every
changelist of the registered models, their history pages, the import/export pages, the
reconciliation and the plan's approval and closing confirmations; at 1280 and 390 px, no
violation of any impact and, on the phone, no page wider than the screen.

The models come from ``admin.site._registry`` (tests/a11y/admin_pages.py): each is opened
as the ufficio staff of an ambito where staff sees it, else as the superuser.
"""

import pytest

from objectives.models import OperatingPlan

from ..builders import set_plan_state
from .admin_pages import WIDTHS, AdminPage, admin_site, app_pages

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]


@pytest.fixture
def site(browser, live_server, plain_cookies, transactional_db):
    with admin_site(browser, live_server.url) as site:
        yield site


LIST_VIEWS = ("changelist", "history", "history version", "import", "export")


def _plan_action(audit, plan, action, heading):
    """A list action on the plan, chosen on its changelist: the confirmation page."""
    page = audit.pages["staff_a"]
    page.goto(f"{page.base}/admin/objectives/operatingplan/")
    page.check(f"input[name=_selected_action][value='{plan.pk}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.locator("h1", has_text=heading).wait_for()
    audit.check(page, f"OperatingPlan {action} confirmation")
    audit.shot(page, action)


def test_admin_lists_have_no_axe_violation(site):
    audit, found = site.audit, site.found
    changelists = [model for model, _, views in found if "changelist" in views]
    assert len(changelists) == len(found)  # each registered model, as staff or superuser
    plan = site.world.a[OperatingPlan]

    for width in WIDTHS:
        audit.at(width)
        for admin_page in app_pages(found):
            audit.visit(admin_page, shot="index" if admin_page.name == "index" else None)
        audit.visit_models(found, LIST_VIEWS)
        audit.visit(AdminPage("reconciliation", "staff_a",
                              "/admin/governance/sourcedocument/riconciliazione/"))
        set_plan_state(plan, "bozza")
        _plan_action(audit, plan, "approve_plan", "Approvazione del")
        set_plan_state(plan, "approvato")
        _plan_action(audit, plan, "close_year", "Chiusura dell'anno")

    audit.assert_clean()
