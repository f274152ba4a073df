"""What the planning pages' browser tests share: Chromium for the module, a logged-in page
per user and width, and the seed documents loaded again after a module that flushed them.

tests.browser is imported inside the fixtures: importing it here would skip (or, under CI,
fail) the collection of every planning test, browser or not, on a machine without Chromium.
"""

import re

import pytest

PASSWORD = "a-long-test-password"


@pytest.fixture(scope="module")
def reload_seeds_afterwards(django_db_blocker):
    """A live-server test flushes the database: the rest of the suite needs the seeds."""
    yield
    from seeds.loader import load_all

    with django_db_blocker.unblock():
        load_all(force=True)


@pytest.fixture(scope="module")
def browser():
    from ..browser import module_browser

    yield from module_browser()


@pytest.fixture
def plain_cookies(settings):
    # The live server speaks plain http: the __Host- cookies of production would be refused.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME = "sessionid", "csrftoken"


def logged_in_page(browser, base_url, username, *, width=1280, timeout=15_000):
    """A new browser context at ``width`` px, logged in as ``username`` (Italian locale)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(timeout)
    page.goto(f"{base_url}/accesso/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/piani/$"))
    return context, page


@pytest.fixture
def open_page(browser, live_server, plain_cookies):
    """``open_page(username, width=…)``: a logged-in page; ``page.base`` is the server."""
    contexts = []

    def _open(username, *, width=1280):
        context, page = logged_in_page(browser, live_server.url, username, width=width)
        contexts.append(context)
        page.base = live_server.url
        return page

    yield _open
    for context in contexts:
        context.close()
