import copy
import os
import socket
import sys
import time
import urllib.parse
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction

from core.roles import Role
from governance.models import Membership
from objectives.models import Referent
from seeds.loader import load_all

from .builders import AmbitoData, build_ambito, make_user


def services_required():
    """Under CI the real PostgreSQL and Redis are part of the contract: missing means failure."""
    return os.environ.get("CI") == "true" or os.environ.get("PIANOZONA_REQUIRE_SERVICES") == "1"


# ---------------------------------------------------------------------------------------
# Parallel workers (pytest-xdist, `make test` runs `-n auto --dist loadscope`).
#
# pytest-django gives each worker its own test database (test_<name>_gw0, …; SQLite: its own
# in-memory one), with the seeds loaded by django_db_setup below; each worker is a process of
# its own, so its session fixtures (seed reports, live_server) and MEDIA_ROOT
# (pianozona/settings_test.py) are its own too. What is left to share is Redis: each worker
# gets two databases of its own, below.
# ---------------------------------------------------------------------------------------


def xdist_worker():
    """``"gw0"``, ``"gw1"``… in a pytest-xdist worker, ``None`` in a plain run."""
    return os.environ.get("PYTEST_XDIST_WORKER")


# Redis has 16 databases (0-15): worker N uses 15 - 2N for the suite and 14 - 2N for the
# faults tests, so 8 workers at most (the Makefile passes --maxprocesses=8).
MAX_WORKERS_FOR_REDIS = 8


def redis_database(kind):
    """This worker's own Redis database for ``kind``: "suite" or "faults"."""
    worker = xdist_worker()
    if worker is None:
        return 12 if kind == "faults" else None
    number = int(worker.removeprefix("gw"))
    if number >= MAX_WORKERS_FOR_REDIS:
        raise RuntimeError(f"{worker}: Redis ha 16 database, bastano per "
                           f"{MAX_WORKERS_FOR_REDIS} worker (-n {MAX_WORKERS_FOR_REDIS} al più)")
    return 15 - 2 * number - (1 if kind == "faults" else 0)


def redis_url(kind="suite"):
    """The suite's Redis (the CI one when CELERY_BROKER_URL is set) for ``kind``.

    A plain run keeps the databases the suite always used: CELERY_BROKER_URL's own (15 when
    unset) for the suite, 12 for the faults tests. A worker gets a pair of its own, so that a
    flush or a queue of one worker never meets another's.
    """
    base = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
    number = redis_database(kind)
    if number is None:
        return base
    url = urllib.parse.urlparse(base)
    return f"{url.scheme}://{url.netloc}/{number}"


# How `make test` shares the tests among the workers (`--dist loadscope`, with the scopes
# of this suite below). pytest-xdist's own loadgroup does not group under pytest 9.2 (it
# renames node ids, which pytest 9.2 no longer lets a plugin do), so the rule is written here.


def xdist_scope(nodeid):
    """The tests of one scope run on one worker, one after the other.

    A scope is a module: what a module sets up once (a module fixture, a Chromium, a second
    database) is set up once in the run, and the access matrix counts all its cells in one
    process. tests/reports/ is one scope: its modules read the seed reports rendered once
    for the session (tests/reports/conftest.py), the slowest set-up of the suite.
    """
    module = nodeid.split("::", 1)[0]
    return "tests/reports/" if module.startswith("tests/reports/") else module


# Rough seconds per test, to hand out the longest scopes first (the rest: 0.05).
SECONDS_PER_TEST = [("browser", 15.0), ("tests/upgrade/", 10.0), ("tests/backup/", 3.0),
                    ("tests/reports/", 1.5)]


def xdist_cost(scope, nodeids):
    per_test = next((s for mark, s in SECONDS_PER_TEST if mark in scope), 0.05)
    return per_test * len(nodeids)


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before pytest-xdist's own choice
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadscope":
        return None
    from collections import OrderedDict

    from xdist.scheduler import LoadScopeScheduling

    class SuiteScopes(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return xdist_scope(nodeid)

        def schedule(self):
            super().schedule()  # starts each worker on the scopes with the most tests
            self.workqueue = OrderedDict(sorted(
                self.workqueue.items(), key=lambda scope: -xdist_cost(*scope)))

    return SuiteScopes(config, log)


_FLUSHED_BY = set()  # modules one of whose transactional tests ran


def pytest_runtest_call(item):
    if _database_use(item) == "transactional":
        _FLUSHED_BY.add(item.nodeid.split("::", 1)[0])


@pytest.fixture(scope="module", autouse=True)
def _seeds_back_after_a_flush(request, django_db_blocker):
    """The seeds again after a module whose transactional tests flushed them.

    A transactional test (``live_server``, ``transactional_db``) ends with Django emptying
    every table. In one process pytest-django runs those tests after all the others; on a
    pytest-xdist worker they run when their module's turn comes, with tests that need the
    seeds still to come. So a module that has one loads the seeds again when it ends, unless
    the module did it itself.
    """
    yield
    if request.node.nodeid not in _FLUSHED_BY:
        return
    from governance.models import Ambito

    with django_db_blocker.unblock():
        if not Ambito.objects.filter(slug="cremasco").exists():
            load_all()


def _access_matrix_counters():
    # Imported when needed: tests/security/conftest.py imports this module.
    from tests.security.conftest import CELLS, CELLS_BY_URL

    return CELLS, CELLS_BY_URL


def pytest_sessionfinish(session):
    """A worker hands its count of access-matrix cells to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        cells, by_url = _access_matrix_counters()
        workeroutput["access_matrix"] = {"cells": dict(cells), "by_url": dict(by_url)}


_STARTED = time.monotonic()
_WORKERS_DONE = {}  # worker id -> seconds from the start of the run to its end


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _WORKERS_DONE[node.gateway.id] = time.monotonic() - _STARTED
    counts = getattr(node, "workeroutput", {}).get("access_matrix")
    if counts:
        cells, by_url = _access_matrix_counters()
        cells.update(counts["cells"])
        by_url.update(counts["by_url"])


def pytest_terminal_summary(terminalreporter):
    if _WORKERS_DONE:  # how even the workers' shares were (the wall time is the last one)
        terminalreporter.write_line("workers done after: " + ", ".join(
            f"{worker} {seconds:.0f}s" for worker, seconds in sorted(_WORKERS_DONE.items())))
    cells, by_url = _access_matrix_counters()
    if not cells:
        return
    total = sum(cells.values())
    detail = ", ".join(f"{family} {n}" for family, n in sorted(cells.items()))
    terminalreporter.write_line(
        f"access matrix: {total} cells over {len(by_url)} URL patterns ({detail})"
    )


def require_redis():
    url = urllib.parse.urlparse(redis_url())
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=3).close()
    except OSError as exc:
        message = f"Redis non raggiungibile su {redis_url()}: {exc}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message + " (fuori CI)")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The three seed documents are loaded once into the test database.

    Before them, a copy of the freshly migrated database is kept for the backup tests
    (tests/backup/support.py), which would otherwise migrate one more database.
    """
    from tests.backup.support import drop_migrated_copy, keep_migrated_copy

    with django_db_blocker.unblock():
        keep_migrated_copy()
        load_all()
    yield
    with django_db_blocker.unblock():
        drop_migrated_copy()


@dataclass
class World:
    a: AmbitoData
    b: AmbitoData
    users: dict

    def user(self, role_name):
        return self.users[role_name]


ROLE_NAMES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a"]


@pytest.fixture
def world(_module_world, db):
    """Ambiti alfa and beta with one user per role.

    Built for each test; in a module marked ``shared_world`` built once for the module and
    handed to each test as a deep copy, as Django's ``setUpTestData`` does (see
    ``_module_world``).
    """
    if _module_world is None:
        return build_world()
    cache.clear()  # the users are the same in every test: no counter may carry over
    return copy.deepcopy(_module_world)


TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences",
                          "django_db_serialized_rollback"}


def _database_use(item):
    """``None``, ``"db"`` or ``"transactional"``: how a test item uses the database."""
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    if names & TRANSACTIONAL_FIXTURES or (marker is not None and any(
            marker.kwargs.get(key) for key in ("transaction", "reset_sequences",
                                               "serialized_rollback"))):
        return "transactional"
    if "db" in names or marker is not None:
        return "db"
    return None


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """The world of a module marked ``shared_world``, built once (``None`` elsewhere).

    It is written inside a transaction opened for the module and rolled back after its last
    test; each test runs in its own savepoint on top (pytest-django's ``db``), so what a test
    writes is undone before the next, and gets a deep copy of the Python objects, so what it
    changes in them is not seen by the next either. Only for modules whose every database
    test uses ``world`` and none is transactional: others would see rows they never asked
    for, or flush the module's.
    """
    if request.node.get_closest_marker("shared_world") is None:
        yield None
        return
    misfits = [
        item.nodeid for item in request.session.items
        if getattr(item, "module", None) is request.module and _database_use(item) and (
            "world" not in item.fixturenames or _database_use(item) == "transactional")
    ]
    if misfits:
        pytest.fail(f"shared_world: tests that use the database without the shared world or "
                    f"in a transaction of their own: {misfits}", pytrace=False)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        cache.clear()


def build_world():
    """Ambiti alfa and beta with one user per role (also built once per module by some tests)."""
    a = build_ambito("alfa")
    b = build_ambito("beta")
    users = {
        "superuser": make_user("root", superuser=True),
        "staff_a": make_user("staff_a", ambito=a.ambito, role=Role.STAFF),
        "staff_b": make_user("staff_b", ambito=b.ambito, role=Role.STAFF),
        "referent_a": make_user("referent_a", ambito=a.ambito, role=Role.REFERENT),
        "assembly_a": make_user("assembly_a", ambito=a.ambito, role=Role.ASSEMBLY),
        "auditor_a": make_user("auditor_a", ambito=a.ambito, role=Role.AUDITOR),
        "nobody": make_user("nobody"),
    }
    referent = a[Referent]
    referent.user = users["referent_a"]
    referent.save()
    a.objects[Membership] = Membership.objects.get(user=users["staff_a"])
    b.objects[Membership] = Membership.objects.get(user=users["staff_b"])
    return World(a, b, users)
