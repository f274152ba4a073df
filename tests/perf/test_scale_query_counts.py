"""Query counts of the staff pages and the API lists do not grow with the data.

The same page or list is counted on a small data set (one synthetic ambito, three years)
and on a larger one (two more ambiti, five years, bigger plans), with the generator.
"""

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

import synthetic
from budget.models import BudgetLine
from core.roles import Role
from governance.models import Ambito, Membership
from objectives.models import Objective, OperatingPlan

from ..builders import make_user

PAGES = {
    "cruscotto": "/piani/{plan}/cruscotto/",
    "budget": "/obiettivi/{objective}/budget/",
    "rilevazioni": "/piani/{plan}/rilevazioni/2/",
}
LISTS = {
    "budget-lines": "/api/v1/budget/budget-lines/",
    "measurements": "/api/v1/indicators/measurements/",
    "objectives": "/api/v1/objectives/objectives/",
    "operating-plans": "/api/v1/objectives/operating-plans/",
}
FORMATS = {
    "json": {"page_size": 1000},
    "csv": {"page_size": 1000, "format": "csv"},
    "cursor": {"page_size": 1000, "cursor": ""},
    "csv-cursor": {"page_size": 1000, "cursor": "", "format": "csv"},
}


@dataclass
class Size:
    lines: dict = field(default_factory=dict)  # what the pages showed (must differ)
    rows: dict = field(default_factory=dict)  # rows each list returned (must differ)
    queries: dict = field(default_factory=dict)


def _count(client, url, params=None):
    cache.clear()  # throttle counters
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {}, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    return response, len(captured.captured_queries)


def _logged_in(user):
    client = Client()
    client.force_login(user)
    client.get("/api/v1/", secure=True)  # the first request's one-offs are not counted
    return client


def _measure(size, *, staff, plan, objective, auditors):
    page_client = _logged_in(staff)
    for name, pattern in PAGES.items():
        _response, size.queries[name] = _count(
            page_client, pattern.format(plan=plan.pk, objective=objective.pk))
    size.lines["plan"] = BudgetLine.objects.filter(action__objective__plan=plan).count()
    size.lines["objective"] = BudgetLine.objects.filter(action__objective=objective).count()
    for who, user in auditors.items():
        client = _logged_in(user)
        for name, url in LISTS.items():
            for fmt, params in FORMATS.items():
                response, queries = _count(client, url, params)
                key = f"{name} {fmt} {who}"
                size.queries[key] = queries
                size.rows[key] = (response.content.count(b"\r\n") - 1 if "csv" in fmt
                                  else len(response.json()["results"]))


def _plan(ambiti, state, pick):
    plans = (OperatingPlan.objects.filter(zone_plan__ambito__in=ambiti, state=state)
             .annotate(n=Count("objectives__actions__lines")).order_by("n", "pk"))
    return pick(list(plans))


def _objective(plan, pick):
    objectives = list(Objective.objects.filter(plan=plan)
                      .annotate(n=Count("actions__lines")).filter(n__gt=0).order_by("n", "pk"))
    return pick(objectives)


@pytest.fixture(scope="module")
def sizes(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            national = make_user("revisore-nazionale")

            def grant_all():
                have = set(Membership.objects.filter(user=national).values_list("ambito_id",
                                                                                flat=True))
                Membership.objects.bulk_create([
                    Membership(user=national, ambito=a, role=Role.AUDITOR)
                    for a in Ambito.objects.exclude(pk__in=have)
                ])

            synthetic.generate(ambiti=1, years=2, seed=4)
            first = Ambito.objects.get(slug="SYN-0001")
            grant_all()
            small, large = Size(), Size()
            plan = OperatingPlan.objects.get(zone_plan__ambito=first, year=2016)
            state = plan.state
            _measure(small, staff=make_user("ufficio-1", ambito=first, role=Role.STAFF),
                     plan=plan, objective=_objective(plan, lambda o: o[0]),
                     auditors={"nazionale": national,
                               "un ambito": make_user("revisore-1", ambito=first,
                                                      role=Role.AUDITOR)})

            synthetic.generate(ambiti=2, years=4, seed=4, first=2, density=2.0)
            others = list(Ambito.objects.filter(slug__in=["SYN-0002", "SYN-0003"]))
            grant_all()
            plan = _plan(others, state, lambda plans: plans[-1])
            big = others[0] if plan.zone_plan.ambito_id == others[0].pk else others[1]
            _measure(large, staff=make_user("ufficio-2", ambito=big, role=Role.STAFF),
                     plan=plan, objective=_objective(plan, lambda o: o[-1]),
                     auditors={"nazionale": national,
                               "un ambito": make_user("revisore-2", ambito=big,
                                                      role=Role.AUDITOR)})
            yield small, large
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_larger_data_set_is_larger(db, sizes):
    small, large = sizes
    assert large.lines["plan"] > small.lines["plan"]
    assert large.lines["objective"] > small.lines["objective"]
    for key, rows in small.rows.items():
        if key.endswith("un ambito"):
            assert large.rows[key] > rows, key
        else:  # the national auditor's page may be full at both sizes (1,000 rows)
            assert large.rows[key] >= rows, key


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_query_count_does_not_grow(db, sizes, page):
    small, large = sizes
    assert large.queries[page] == small.queries[page], (small.queries[page], large.queries[page])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("who", ["nazionale", "un ambito"])
@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_query_count_does_not_grow(db, sizes, name, fmt, who):
    small, large = sizes
    key = f"{name} {fmt} {who}"
    assert large.queries[key] == small.queries[key], (small.queries[key], large.queries[key])
