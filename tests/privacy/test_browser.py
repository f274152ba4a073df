"""The privacy notice in a real browser: reached from the login page, axe-clean, screenshots.

Needs no data: the notice and the login page read nothing from the database.
"""

import os
import pathlib
import re
import tempfile

import pytest

from ..browser import check_axe, module_browser

pytestmark = pytest.mark.browser

# Kept for a human to look at (the report of issue 10 cites them).
SCREENSHOTS = pathlib.Path(
    os.environ.get("PRIVACY_SCREENSHOTS") or pathlib.Path(tempfile.gettempdir()) / "privacy"
)


@pytest.fixture(scope="module")
def browser():
    yield from module_browser()


@pytest.mark.parametrize("width", [1280, 390])
def test_notice_from_the_login_page(browser, live_server, settings, width):
    settings.PRIVACY_CONTROLLER_NAME = "Comune di Crema, ente capofila dell'Ambito Cremasco"
    settings.PRIVACY_CONTROLLER_EMAIL = "ufficiodipiano@comune.crema.cr.it"
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accesso/")
        page.get_by_role("link", name="Informativa sulla privacy").click()
        page.wait_for_url(re.compile(r"/privacy/$"))
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == "Informativa sul trattamento dei dati personali"
        assert page.get_by_role("link", name="ufficiodipiano@comune.crema.cr.it").count() >= 1
        check_axe(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"privacy-{width}.png"), full_page=True)
    finally:
        context.close()
