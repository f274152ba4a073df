"""axe-core on the admin forms staff fill in (issue 18): the add form and the change form
(with its inlines) of every registered model, and its delete confirmation; at 1280 and
390 px, no violation of any impact and, on the phone, no page wider than the screen.

The models come from ``admin.site._registry`` (tests/a11y/admin_pages.py): each is opened
as the ufficio staff of an ambito where staff sees it, else as the superuser. The plan is
a draft, so every inline row is an editable form.
"""

import pytest

from budget.models import Variation
from objectives.models import Objective, OperatingPlan

from ..builders import set_plan_state
from .admin_pages import WIDTHS, AdminPage, admin_site

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]


@pytest.fixture
def site(browser, live_server, plain_cookies, transactional_db):
    with admin_site(browser, live_server.url) as site:
        yield site


FORM_VIEWS = ("add", "change", "delete")


def test_admin_forms_have_no_axe_violation(site):
    audit, found = site.audit, site.found
    changeable = [model for model, _, views in found if "change" in views]
    assert len(changeable) == len(found)  # a real object of each registered model

    for width in WIDTHS:
        audit.at(width)
        audit.visit_models(found, FORM_VIEWS)

    # Italian in the gender of the rows' name, not Django's one "Aggiungi un altro".
    objective = site.world.a[Objective]
    page = audit.pages["staff_a"]
    page.goto(f"{page.base}/admin/objectives/objective/{objective.pk}/change/")
    adds = page.locator(".add-row a").all_inner_texts()
    assert "Aggiungi un'altra azione" in adds and "Aggiungi un altro indicatore" in adds, adds

    # A variation is made on an approved plan: its form then offers the plan's lines.
    set_plan_state(site.world.a[OperatingPlan], "approvato")
    for width in WIDTHS:
        audit.at(width)
        page = audit.visit(AdminPage("budget.Variation add (approved plan)", "staff_a",
                                     "/admin/budget/variation/add/"),
                           shot="variation-add")
        if page is not None:
            assert page.locator("#id_line option").count() >= 2
            assert page.input_value("input[name=_addanother]") == "Salva e aggiungi un'altra"
    assert Variation.objects.count() == 2  # nothing was saved by opening the forms

    audit.assert_clean()
