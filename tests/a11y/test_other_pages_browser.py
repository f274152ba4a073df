"""Accessibility (issue 18): reports, debiti informativi and classification, login, second
factor, privacy and the error pages (400, 403 with the reason, 404, 500, 503, CSRF) at 1280
and 390 px: no axe-core violation of any impact, nothing wider than the screen. Also: every
page pattern of the app belongs to one of the three modules. See support.py."""

import pytest

from .support import GROUPS, app_page_names, check_group, group_names

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]


def test_other_pages_and_errors_have_no_violation(world, browser, live_server, plain_cookies,
                                                  a11y_urls):
    check_group("other", world, browser, live_server, errors=True)


def test_every_page_pattern_is_in_a_group():
    grouped = [n for group in [*GROUPS, "other"] for n in group_names(group)]
    assert sorted(grouped) == app_page_names()
    assert {"objectives:dashboard", "budget:entry", "planning:structure", "returns:classify",
            "entry:login", "privacy", "reports:index"} <= set(grouped)


def test_the_audit_reports_a_moderate_violation(browser, live_server, plain_cookies):
    from .support import audit_catches_a_moderate_violation

    served, tampered = audit_catches_a_moderate_violation(browser, live_server.url)
    assert served == []
    assert len(tampered) == 1 and "axe heading-order (moderate" in tampered[0], tampered
