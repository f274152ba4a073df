"""Shared by the security tests: the two-ambiti world built once per module, and the count
of access-matrix cells printed at the end of the run (the note reports it)."""

from collections import Counter

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.conftest import build_world

# family ("page", "admin", "api") -> cells asserted; url name -> cells asserted.
CELLS = Counter()
CELLS_BY_URL = Counter()


def count_cell(family, url_name):
    CELLS[family] += 1
    CELLS_BY_URL[url_name] += 1


# Printed at the end of the run by tests/conftest.py, which adds up the counts of the
# pytest-xdist workers (this conftest is not loaded by the process that reports).


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The ``world`` of tests/conftest.py, built once for a whole module.

    Each test still runs in its own savepoint (pytest-django's ``db``), so what a test
    writes is undone before the next; the module's transaction is rolled back at the end.
    """
    with django_db_blocker.unblock():
        with transaction.atomic():
            cache.clear()  # API throttle counters are keyed by user ids, which repeat
            yield build_world()
            transaction.set_rollback(True)
        cache.clear()
