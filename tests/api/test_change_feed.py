"""/changes/ walked by cursor: every entry once, each with an identity of its own (issue 20)."""

import csv
import io
from decimal import Decimal

from budget.models import BudgetLine

from .conftest import client_for, list_url

URL = list_url("change")


def _edit(obj, user, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()


def walk(client, params):
    """Every entry of the feed following the «next» links from the first cursor page."""
    entries, pages = [], 0
    response = client.get(URL, {"cursor": "", **params})
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert body["count"] is None and body["previous"] is None
        entries += body["results"]
        pages += 1
        if body["next"] is None:
            return entries, pages
        response = client.get(body["next"])


def test_cursor_walks_the_feed_across_pages(world, auditor_client):
    everything = auditor_client.get(URL, {"page_size": 1000}).json()["results"]
    assert len(everything) > 3
    entries, pages = walk(auditor_client, {"page_size": 2})
    assert pages == (len(everything) + 1) // 2
    assert entries == everything  # same entries, same order as the numbered pages


def test_cursor_walks_the_feed_of_one_ambito_in_csv(world, auditor_client):
    first = auditor_client.get(URL, {"cursor": "", "page_size": 2, "format": "csv",
                                     "ambito": world.a.ambito.slug})
    assert first.status_code == 200, first.content[:300]
    assert 'rel="next"' in first["Link"]
    rows = list(csv.DictReader(io.StringIO(first.content.decode())))
    # Two changes, one row per changed field of each.
    assert len({r["id"] for r in rows}) == 2 and len(rows) > 2
    assert {"field", "old", "new"} <= set(rows[0]) and "changes" not in rows[0]
    following = auditor_client.get(first["Link"].split(">")[0].lstrip("<"))
    assert following.status_code == 200
    again = list(csv.DictReader(io.StringIO(following.content.decode())))
    assert {r["id"] for r in rows}.isdisjoint({r["id"] for r in again})


def test_every_entry_has_an_identity_of_its_own(world, auditor_client):
    from core.history import change_id

    rows = auditor_client.get(URL, {"page_size": 1000}).json()["results"]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    # The identity says what it is: the model and its history record.
    for row in rows:
        assert row["id"] == f'{row["model"]}:{row["history_id"]}'
    # History ids are numbered per table, so two models' changes can share one (whether
    # they do in this database depends on what ran before it: PostgreSQL's sequences are
    # not rolled back, so the test no longer counts on a collision): they stay apart.
    assert change_id("governance.ambito", 7) != change_id("governance.subambito", 7)


def test_a_cursor_resumes_after_new_changes_arrive(world, auditor_client):
    first = auditor_client.get(URL, {"cursor": "", "page_size": 1000}).json()
    assert first["next"] is None
    seen = [row["id"] for row in first["results"]]
    # The cursor of the last page to resume from: ask one page short of the end.
    partial = auditor_client.get(URL, {"cursor": "", "page_size": len(seen) - 1}).json()
    resume = partial["next"]
    assert resume
    _edit(world.a[BudgetLine], world.user("staff_a"), preventivo=Decimal("42.00"))
    rest, url = [], resume
    while url:
        body = auditor_client.get(url).json()
        rest += [row["id"] for row in body["results"]]
        url = body["next"]
    assert rest[0] == seen[-1]  # what was left of the old feed, then only the new change
    assert len(rest) == 2
    new = rest[1]
    assert new not in seen and new.startswith("budget.budgetline:")


def test_object_history_entries_carry_the_same_identity(world, auditor_client):
    line = world.a[BudgetLine]
    _edit(line, world.user("staff_a"), preventivo=Decimal("5.00"))
    history = auditor_client.get(f"/api/v1/budget/budget-lines/{line.pk}/history/").json()
    feed = auditor_client.get(URL, {"model": "budget.budgetline", "page_size": 1000}).json()
    feed_ids = {row["id"] for row in feed["results"]}
    assert {row["id"] for row in history["results"]} <= feed_ids


def test_a_garbled_cursor_is_a_400_and_an_unknown_change_a_404(world, auditor_client):
    for value in ("abc", "eyJhZnRlciI6IDF9", "budget.nope:1", "budget.budgetline:x"):
        response = auditor_client.get(URL, {"cursor": value})
        assert response.status_code == 400, value
        assert "cursor" in response.json()
    assert auditor_client.get(URL, {"cursor": "budget.budgetline:999999999"}).status_code == 404
    # Another ambito's change is no place to resume from.
    theirs = client_for(world.user("staff_b")).get(
        URL, {"model": "budget.budgetline", "page_size": 1000}).json()["results"][0]["id"]
    assert auditor_client.get(URL, {"cursor": theirs}).status_code == 404


def test_a_client_resumes_from_the_last_id_it_has(world, auditor_client):
    everything = auditor_client.get(URL, {"page_size": 1000}).json()["results"]
    rest = auditor_client.get(URL, {"cursor": everything[2]["id"], "page_size": 1000}).json()
    assert rest["results"] == everything[3:]


def test_staff_of_another_ambito_walks_only_their_own(world):
    client = client_for(world.user("staff_b"))
    entries, _ = walk(client, {"page_size": 3})
    assert entries and {row["ambito"] for row in entries} == {world.b.ambito.pk}
