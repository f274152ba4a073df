"""Who changed what and when: per object and as a feed of an ambito since a moment."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from budget.models import BudgetLine
from objectives.models import Referent

from .conftest import client_for, detail_url, list_url


def _edit(obj, user, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()


def test_object_history_says_who_when_and_from_to(world, auditor_client):
    line = world.a[BudgetLine]
    staff = world.user("staff_a")
    staff.first_name, staff.last_name = "Anna", "Rossi"
    staff.save()
    before = timezone.now()
    _edit(line, staff, preventivo=Decimal("1234.56"), note="Ditta esterna")
    response = auditor_client.get(detail_url("budget-budgetline", line.pk) + "history/")
    assert response.status_code == 200
    created, changed = response.json()["results"]
    assert created["type"] == "created" and created["user"] is None
    assert {c["field"] for c in created["changes"]} >= {"item", "preventivo", "action"}
    assert changed["type"] == "changed"
    assert changed["user"] == "Anna Rossi"
    assert changed["date"] >= before.isoformat()[:19]
    assert {c["field"]: (c["old"], c["new"]) for c in changed["changes"]} == {
        "preventivo": ("10.05", "1234.56"),
        "note": ("", "Ditta esterna"),
    }
    assert response["Last-Modified"]


def test_history_never_shows_user_accounts(world, auditor_client):
    referent = world.a[Referent]
    response = auditor_client.get(detail_url("objectives-referent", referent.pk) + "history/")
    for record in response.json()["results"]:
        assert "user" not in {c["field"] for c in record["changes"]}
    staff = world.user("staff_a")
    staff.email = "staff.a@example.org"
    staff.save()
    _edit(world.a[BudgetLine], staff, item="Nuova voce")
    rows = auditor_client.get(detail_url("budget-budgetline", world.a[BudgetLine].pk) + "history/")
    assert rows.json()["results"][-1]["user"] == "staff_a"  # no full name: the username
    feed = auditor_client.get(list_url("change"), {"page_size": 1000})
    for response in (rows, feed):
        assert "staff.a@example.org" not in response.content.decode()
    body = auditor_client.get(detail_url("objectives-referent", referent.pk)).json()
    assert "user" not in body


def test_deletion_is_in_the_feed(world, auditor_client):
    line = world.a[BudgetLine]
    line_id = line.pk
    line._history_user = world.user("staff_a")
    line.delete()
    rows = auditor_client.get(
        list_url("change"), {"model": "budget.budgetline", "page_size": 1000}
    ).json()["results"]
    deleted = [r for r in rows if r["object_id"] == line_id and r["type"] == "deleted"]
    assert len(deleted) == 1
    assert {"field": "preventivo", "label": "preventivo", "old": "10.05", "new": None} in (
        deleted[0]["changes"]
    )


def test_feed_since_a_moment_in_one_ambito(world, auditor_client):
    since = timezone.now()
    _edit(world.a[BudgetLine], world.user("staff_a"), preventivo=Decimal("99.00"))
    _edit(world.b[BudgetLine], world.user("staff_b"), preventivo=Decimal("77.00"))
    params = {"since": since.isoformat(), "ambito": world.a.ambito.slug}
    rows = auditor_client.get(list_url("change"), params).json()["results"]
    assert [(r["model"], r["object_id"], r["type"]) for r in rows] == [
        ("budget.budgetline", world.a[BudgetLine].pk, "changed")
    ]
    assert rows[0]["changes"] == [
        {"field": "preventivo", "label": "preventivo", "old": "10.05", "new": "99.00"}
    ]
    later = {"since": (timezone.now() + timedelta(seconds=1)).isoformat()}
    assert auditor_client.get(list_url("change"), later).json()["results"] == []
    # The other ambito's staff sees their own change and not A's.
    theirs = client_for(world.user("staff_b")).get(list_url("change"), {"since": since.isoformat()})
    assert [r["object_id"] for r in theirs.json()["results"]] == [world.b[BudgetLine].pk]
    # Asking for an ambito one has no role in gives nothing, not its changes.
    other = auditor_client.get(list_url("change"), {**params, "ambito": world.b.ambito.slug})
    assert other.json()["results"] == []


def test_feed_diffs_against_the_record_on_an_earlier_page(world, auditor_client):
    line = world.a[BudgetLine]
    _edit(line, world.user("staff_a"), preventivo=Decimal("1.00"))
    _edit(line, world.user("staff_a"), preventivo=Decimal("2.00"))
    url = list_url("change")
    params = {"model": "budget.budgetline", "page_size": 1}
    count = auditor_client.get(url, params).json()["count"]
    last = auditor_client.get(url, {**params, "page": count}).json()["results"][0]
    assert last["changes"] == [
        {"field": "preventivo", "label": "preventivo", "old": "1.00", "new": "2.00"}
    ]


def test_feed_rejects_a_bad_since(world, auditor_client):
    response = auditor_client.get(list_url("change"), {"since": "ieri"})
    assert response.status_code == 400
    assert "since" in response.json()
