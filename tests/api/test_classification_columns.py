"""The budget lines' list and full CSV export carry each line's effective area di utenza:
the line's own codes with their shares, else its action's, '' when unclassified."""

import csv
import io

import pytest

from budget.models import BudgetLine
from classification import services
from classification.models import Assignment

from .conftest import client_for

LIST = "/api/v1/budget/budget-lines/"
EXPORT = "/api/v1/budget/budget-lines/export/"


@pytest.mark.django_db
def test_list_and_export_carry_the_effective_area(world):
    line = world.a[BudgetLine]
    action = line.action
    other = BudgetLine.objects.create(action=action, item="Seconda voce", preventivo=10,
                                      position=99)
    Assignment.objects.filter(action=action).delete()
    staff = world.user("staff_a")
    services.classify(user=staff, action=action, dimension="area_utenza",
                      shares=[("ANZ", "100")], reason="azione per anziani")
    services.classify(user=staff, action=action, line=line, dimension="area_utenza",
                      shares=[("DIS", "50"), ("ANZ", "50")], reason="riga divisa")
    client = client_for(world.user("auditor_a"))
    rows = client.get(LIST, {"page_size": 1000}).json()["results"]
    areas = {r["id"]: r["area_utenza"] for r in rows}
    assert areas[line.pk] == "ANZ 50;DIS 50"
    assert areas[other.pk] == "ANZ 100"
    body = b"".join(client.get(EXPORT).streaming_content).decode("utf-8")
    exported = {r["id"]: r["area_utenza"] for r in csv.DictReader(io.StringIO(body))}
    assert exported[str(line.pk)] == "ANZ 50;DIS 50"
    assert exported[str(other.pk)] == "ANZ 100"
    Assignment.objects.filter(action=action).delete()
    rows = client.get(LIST, {"page_size": 1000}).json()["results"]
    assert {r["id"]: r["area_utenza"] for r in rows}[line.pk] == ""
