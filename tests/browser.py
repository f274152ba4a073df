"""Debian's Chromium driven by Playwright, with axe-core: what every browser test shares.

Import this module at the top of a browser test module: under CI a missing Chromium is a
failure, elsewhere the module is skipped.
"""

import os
import shutil
from contextlib import contextmanager

import pytest

from .conftest import services_required

playwright_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    if services_required():
        pytest.fail(f"Chromium non trovato ({CHROMIUM}): `make install-test` lo installa.",
                    pytrace=False)
    pytest.skip("Chromium non installato (fuori CI)", allow_module_level=True)

# Without the background-networking flag Chromium keeps calling hosts this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def chromium():
    """A headless Chromium for the duration of the block."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def async_unsafe_allowed():
    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the test
    # itself are synchronous and safe, so Django's guard is lifted while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def module_browser():
    """Body of a module-scoped ``browser`` fixture: ``yield from module_browser()``."""
    with async_unsafe_allowed(), chromium() as browser:
        yield browser


def check_axe(page):
    """WCAG 2.1 AA as axe-core sees it: no violation at all."""
    results = axe_module.Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def axe_violations(page):
    """Every axe-core violation on ``page`` (any impact), one readable line each: for the
    tests that walk many pages and report every problem together at the end."""
    found = []
    for v in axe_module.Axe().run(page).response["violations"]:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"]][:3]
        found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×) {targets}")
    return found
