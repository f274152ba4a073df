"""In Chromium, under the real Content-Security-Policy: no page reports a violation, and the
security pages (second factor, lockout) pass axe-core.

axe is injected by Playwright through the DevTools protocol, which the page's CSP does not
govern, so no ``bypass_csp`` is needed; a violation is caught both from the console
and from the page's own ``securitypolicyviolation`` events.
"""

import re
import tempfile
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from objectives.models import Objective, OperatingPlan
from tests.entry.test_browser import (  # noqa: F401 - fixtures
    PASSWORD,
    browser,
    check_axe,
    plain_cookies,
    reload_seeds_afterwards,
)

from .test_otp import code

pytestmark = pytest.mark.browser
# Screenshots to look at what the user meets (the report describes them).
SHOTS = Path(tempfile.gettempdir()) / "secure"
SHOTS.mkdir(exist_ok=True)
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def context(browser, live_server, plain_cookies):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    context.add_init_script(LISTEN)
    context.refused = []
    yield context
    context.close()


def new_page(context, base):
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Older Chromium says "Refused to …", newer "… violates the following Content Security Policy".
    page.on("console", lambda m: ("Refused to" in m.text or "Content Security Policy" in m.text)
            and context.refused.append(m.text))
    page.base = base
    return page


def login(page, username, *, code_for=None):
    page.goto(page.base + "/accesso/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    if code_for is not None:
        page.wait_for_url(re.compile(r"/accesso/codice/"))
        page.fill("#id_otp_token", code(code_for))
        page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/piani/$"))


def assert_no_violation(page, context, label, expected=()):
    violations = page.evaluate("window.__csp || []")
    assert violations == list(expected), (label, violations)
    assert len(context.refused) == len(expected), (label, context.refused)


def visit(page, context, path, *, ready=None, shot=None, expected=()):
    response = page.goto(page.base + path)
    assert response.status < 400, path
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
    if ready:
        page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    if shot:
        page.screenshot(path=f"{SHOTS}/{shot}.png", full_page=False)
    assert_no_violation(page, context, path, expected)


def test_pages_admin_and_api_docs_run_without_csp_violations(world, context, live_server):
    plan, objective = world.a[OperatingPlan], world.a[Objective]
    page = new_page(context, live_server.url)
    visit(page, context, "/accesso/")
    login(page, "staff_a")
    for path in ("/piani/", f"/piani/{plan.pk}/", f"/piani/{plan.pk}/cruscotto/",
                 f"/piani/{plan.pk}/rilevazioni/1/", f"/report/piano-operativo/{plan.pk}/"):
        visit(page, context, path)
    visit(page, context, f"/obiettivi/{objective.pk}/budget/", shot="budget-grid")
    # The grid's script works under the policy: the total follows the typing.
    page.locator("tr.js-line").first.locator("input[name$='-preventivo']").fill("dieci euro")
    assert page.text_content("#total-preventivo") == "importo non valido"
    assert_no_violation(page, context, "budget grid typing")

    root = new_page(context, live_server.url)
    context.clear_cookies()
    login(root, "root")
    visit(root, context, "/admin/")
    visit(root, context, f"/admin/objectives/objective/{objective.pk}/change/",
          shot="admin-change-form")
    visit(root, context, "/admin/budget/budgetline/import/")
    visit(root, context, "/api/v1/docs/", ready=".swagger-ui .info", shot="api-docs")
    # Redoc's only violation is the one wanted: its "by Redocly" logo from a third-party
    # CDN is not loaded (the image then hides itself).
    visit(root, context, "/api/v1/redoc/", ready=".api-content", shot="api-redoc",
          expected=["img-src https://cdn.redoc.ly/redoc/logo-mini.svg"])


def test_second_factor_pages_and_lockout_are_accessible(world, context, live_server):
    page = new_page(context, live_server.url)
    login(page, "staff_a")
    visit(page, context, "/sicurezza/due-fattori/", shot="otp-enrol")
    check_axe(page)
    device = TOTPDevice.objects.get(user=world.user("staff_a"))
    page.fill("#id_otp_token", f"{(int(code(device)) + 1) % 1_000_000:06d}")
    page.click("main button[type=submit]")
    page.wait_for_selector("[role=alert]")
    assert "Il codice non è valido o è scaduto" in page.inner_text("main")
    page.screenshot(path=f"{SHOTS}/otp-enrol-wrong-code.png")
    check_axe(page)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    device.refresh_from_db()
    page.fill("#id_otp_token", code(device))
    page.click("main button[type=submit]")
    page.wait_for_selector(".alert-success")
    page.screenshot(path=f"{SHOTS}/otp-enrol-done.png")
    check_axe(page)
    assert_no_violation(page, context, "enrol")

    # Next login: the code is asked after the password.
    context.clear_cookies()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    page.goto(page.base + "/accesso/")
    page.fill("#id_username", "staff_a")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/accesso/codice/"))
    page.screenshot(path=f"{SHOTS}/otp-verify.png")
    check_axe(page)
    page.fill("#id_otp_token", code(device))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/piani/$"))
    assert_no_violation(page, context, "verify")

    # Five wrong passwords: the lockout page.
    context.clear_cookies()
    for _ in range(5):
        page.goto(page.base + "/accesso/")
        page.fill("#id_username", "assembly_a")
        page.fill("#id_password", "wrong-password-1")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    assert "Troppi tentativi di accesso non riusciti" in page.inner_text("main")
    page.screenshot(path=f"{SHOTS}/lockout.png")
    check_axe(page)
    assert_no_violation(page, context, "lockout")
