"""Accessibility (issue 18): the pages of the plan's year (structure, new plan from last
year, approval, acts, variations, closing, entrate, spesa sociale) at 1280 and 390 px for
every role that reads them: no axe-core violation of any impact, nothing wider than the
screen. See support.py."""

import pytest

from .support import check_group

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]


def test_planning_pages_have_no_violation(world, browser, live_server, plain_cookies,
                                          a11y_urls):
    check_group("planning", world, browser, live_server)
