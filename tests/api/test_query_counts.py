"""No N+1: each list costs the same number of queries for 10 and for 100 objects of its kind.

One module-wide data set of 100 ambiti (one object of every model each); an auditor of 10
of them and an auditor of all 100 pull every list on one page and must cost the same.
"""

from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.roles import Role
from governance.models import Membership

from ..builders import build_ambito, make_user
from .conftest import ENDPOINTS, client_for, list_url

FEW, MANY = 10, 100


@dataclass
class Crowd:
    few: object
    many: object


@pytest.fixture(scope="module")
def crowd(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ambiti = [build_ambito(f"folla-{n:03d}").ambito for n in range(MANY)]
            few, many = make_user("revisore_10"), make_user("revisore_100")
            Membership.objects.bulk_create(
                [Membership(user=few, ambito=a, role=Role.AUDITOR) for a in ambiti[:FEW]]
                + [Membership(user=many, ambito=a, role=Role.AUDITOR) for a in ambiti]
            )
            yield Crowd(few, many)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _pull(user, basename):
    client = client_for(user)
    client.get("/api/v1/")  # the token row and the first request's one-offs, not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get(list_url(basename), {"page_size": 1000})
    assert response.status_code == 200
    return response.json()["count"], len(queries)


@pytest.mark.parametrize("basename", sorted(ENDPOINTS))
def test_query_count_does_not_grow_with_the_rows(db, crowd, basename):
    few_rows, few_queries = _pull(crowd.few, basename)
    many_rows, many_queries = _pull(crowd.many, basename)
    assert few_rows >= FEW and many_rows >= MANY and many_rows > few_rows
    assert many_queries == few_queries, (basename, few_queries, many_queries)
