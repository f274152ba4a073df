"""?cursor= on the API lists: a full pull in id order, every row once, no total to count."""

import pytest
from django.core.cache import cache

from budget.models import BudgetLine
from core.roles import Role
from governance.models import Ambito, Membership

from ..api.conftest import client_for
from ..builders import build_ambito, make_user

URL = "/api/v1/budget/budget-lines/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def walk(client, params):
    """Follow the next links from the first cursor page; the ids in the order received."""
    ids, url, pages = [], URL, 0
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert body["count"] is None and body["previous"] is None
        assert "X-Total-Count" not in response
        ids += [row["id"] for row in body["results"]]
        pages += 1
        if body["next"] is None:
            assert "Link" not in response
            return ids, pages
        assert response["Link"] == f'<{body["next"]}>; rel="next"'
        assert "cursor=" in body["next"] and "page=" not in body["next"]
        response = client.get(body["next"])


def test_cursor_walks_every_visible_row_once_in_id_order(world):
    client = client_for(world.user("auditor_a"))
    expected = list(BudgetLine.objects.restrict(world.user("auditor_a"))
                    .order_by("pk").values_list("pk", flat=True))
    ids, pages = walk(client, {"cursor": "", "page_size": 2})
    assert ids == expected
    assert pages == (len(expected) + 1) // 2
    assert world.b[BudgetLine].pk not in ids  # never another ambito's rows

    # The same rows as the numbered pages, which keep working as before.
    paged = client.get(URL, {"page_size": 1000}).json()
    assert paged["count"] == len(expected)
    assert sorted(row["id"] for row in paged["results"]) == expected


def test_cursor_pages_in_csv_carry_the_next_link(world):
    client = client_for(world.user("auditor_a"))
    response = client.get(URL, {"cursor": "", "page_size": 1, "format": "csv"})
    assert response.status_code == 200
    assert response.content.count(b"\r\n") == 2  # header and one row
    assert 'rel="next"' in response["Link"] and "format=csv" in response["Link"]


@pytest.mark.parametrize("cursor", ["garbage!", "eyJhZnRlciI6ICJ4In0", "eyJhZnRlciI6IC0xfQ"])
def test_a_garbled_cursor_is_refused_with_a_message(world, cursor):
    client = client_for(world.user("auditor_a"))
    response = client.get(URL, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"cursor": [
        "Cursore non valido: usa il link «next» della risposta precedente, o cursor= vuoto "
        "per iniziare."]}


def test_schema_documents_the_cursor(world):
    client = client_for(world.user("auditor_a"))
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"][URL]["get"]["parameters"]}
    assert "page" in parameters and "cursor" in parameters
    assert "link «next»" in parameters["cursor"]["description"]


def test_an_auditor_of_every_ambito_sees_all_and_not_a_new_ambito(world):
    """The national auditor's list skips the scope filter only while it changes nothing."""
    national = make_user("revisore-nazionale")
    Membership.objects.bulk_create([Membership(user=national, ambito=a, role=Role.AUDITOR)
                                    for a in Ambito.objects.all()])
    everything = BudgetLine.objects.count()
    assert client_for(national).get(URL, {"page_size": 1}).json()["count"] == everything

    newcomer = build_ambito("nuovo")
    cache.clear()
    body = client_for(make_user_refresh(national)).get(URL, {"page_size": 1000}).json()
    assert body["count"] == everything  # not the newcomer's lines
    assert not {r["id"] for r in body["results"]} & set(
        BudgetLine.objects.filter(action__objective__plan__zone_plan__ambito=newcomer.ambito)
        .values_list("pk", flat=True))


def make_user_refresh(user):
    """The same user loaded again (grants are cached on the object)."""
    return type(user).objects.get(pk=user.pk)
