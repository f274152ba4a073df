"""Accessibility (issue 18): the plan list, plan, objective, cruscotto, budget grid and
quarterly pages (entry and read views) at 1280 and 390 px for every role that reads them:
no axe-core violation of any impact, nothing wider than the screen. See support.py."""

import pytest

from .support import check_group

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]


def test_reading_pages_have_no_violation(world, browser, live_server, plain_cookies, a11y_urls):
    check_group("reading", world, browser, live_server)
