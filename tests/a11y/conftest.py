"""The accessibility tests' Chromium, live server settings and the seeds back afterwards."""

import pytest

from tests.planning.conftest import browser, plain_cookies, reload_seeds_afterwards  # noqa: F401


@pytest.fixture
def a11y_urls(settings):
    """The project's URLs plus the error pages of tests/a11y/urls.py."""
    settings.ROOT_URLCONF = "tests.a11y.urls"
