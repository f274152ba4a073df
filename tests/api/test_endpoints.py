"""Every endpoint of the router: scoped reads, 401/403, writes refused, CSV = JSON, ETag."""

import csv
import io
import json

import pytest

from budget.models import BudgetLine

from .conftest import (
    ENDPOINTS,
    MODEL_ENDPOINTS,
    client_for,
    detail_url,
    list_url,
    model_of,
)

# One world for the module, a deep copy for each test (tests/conftest.py).
pytestmark = pytest.mark.shared_world

ALL = sorted(ENDPOINTS)
MODELS = sorted(MODEL_ENDPOINTS)


def _results(response):
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


@pytest.mark.parametrize("basename", MODELS)
def test_auditor_of_a_lists_a_and_never_b(world, auditor_client, basename):
    model = model_of(basename)
    response = auditor_client.get(list_url(basename), {"page_size": 1000})
    ids = {row["id"] for row in _results(response)}
    assert world.a[model].pk in ids
    assert world.b[model].pk not in ids


@pytest.mark.parametrize("basename", MODELS)
def test_auditor_of_a_reads_a_detail_and_not_b(world, auditor_client, basename):
    model = model_of(basename)
    assert auditor_client.get(detail_url(basename, world.a[model].pk)).status_code == 200
    assert auditor_client.get(detail_url(basename, world.b[model].pk)).status_code == 404
    history = auditor_client.get(detail_url(basename, world.b[model].pk) + "history/")
    assert history.status_code == 404


def test_change_feed_is_scoped(world, auditor_client):
    rows = _results(auditor_client.get(list_url("change"), {"page_size": 1000}))
    assert rows
    assert {row["ambito"] for row in rows} == {world.a.ambito.pk}
    assert "governance.membership" not in {row["model"] for row in rows}


@pytest.mark.parametrize("basename", ALL)
def test_anonymous_gets_401(world, basename):
    response = client_for().get(list_url(basename))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("basename", MODELS)
def test_anonymous_detail_and_history_get_401(world, basename):
    url = detail_url(basename, world.a[model_of(basename)].pk)
    assert client_for().get(url).status_code == 401
    assert client_for().get(url + "history/").status_code == 401


@pytest.mark.parametrize("basename", ALL)
def test_user_without_any_role_gets_403(world, basename):
    assert client_for(world.user("nobody")).get(list_url(basename)).status_code == 403


def test_a_wrong_token_gets_401(world):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(list_url("budget-budgetline")).status_code == 401


@pytest.mark.parametrize("basename", ALL)
@pytest.mark.parametrize("role", ["auditor_a", "staff_a", "superuser"])
def test_writes_are_refused(world, basename, role):
    # Even those who may write in the admin cannot write through the API.
    client = client_for(world.user(role))
    assert client.post(list_url(basename), {}, format="json").status_code == 405
    if basename in MODEL_ENDPOINTS:
        obj = world.a[model_of(basename)]
        url = detail_url(basename, obj.pk)
        assert client.put(url, {}, format="json").status_code == 405
        assert client.patch(url, {}, format="json").status_code == 405
        assert client.delete(url).status_code == 405
        assert type(obj).objects.filter(pk=obj.pk).exists()


def _cell(value):
    """What a CSV cell holds for a JSON value, computed apart from the renderer."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _flat(row, prefix=""):
    out = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = _cell(value)
    return out


def _unescape(text):
    escaped = text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r")
    return text[1:] if escaped else text


def _csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    return [{key: _unescape(value) for key, value in row.items()} for row in reader]


@pytest.mark.parametrize("basename", ALL)
def test_csv_and_json_agree(world, auditor_client, basename):
    params = {"ambito": world.a.ambito.slug, "page_size": 1000}
    rows = _results(auditor_client.get(list_url(basename), params))
    if basename == "change":  # in CSV one row per changed field, computed apart here too
        rows = [{**{k: v for k, v in row.items() if k != "changes"}, **change}
                for row in rows for change in row["changes"] or [dict.fromkeys(
                    ("field", "label", "old", "new"))]]
    as_json = [_flat(row) for row in rows]
    as_csv = _csv_rows(auditor_client.get(list_url(basename), {**params, "format": "csv"}))
    assert as_json
    assert as_csv == as_json


def test_csv_escapes_formulas_but_not_numbers(world, auditor_client):
    line = world.a[BudgetLine]
    line.item = "=HYPERLINK(\"http://x\")"
    line.note = "@SUM(A1)"
    line.save()
    response = auditor_client.get(list_url("budget-budgetline"),
                                  {"format": "csv", "action": line.action_id})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    mine = next(row for row in rows if row["id"] == str(line.pk))
    assert mine["item"] == "'=HYPERLINK(\"http://x\")"
    assert mine["note"] == "'@SUM(A1)"
    assert mine["preventivo"] == "10.05"


def test_empty_csv_still_has_its_header(world, auditor_client):
    response = auditor_client.get(
        list_url("budget-budgetline"), {"format": "csv", "ambito": "nessuno"}
    )
    header = response.content.decode().splitlines()
    assert header == [header[0]] and header[0].startswith("id,ambito,plan,year,objective")


def test_money_is_a_decimal_string_and_dates_are_iso(world, auditor_client):
    line = auditor_client.get(detail_url("budget-budgetline", world.a[BudgetLine].pk)).json()
    assert line["preventivo"] == "10.05" and line["consuntivo"] is None
    objective = _results(auditor_client.get(list_url("objectives-objective")))[0]
    assert objective["totals"] == {"preventivo": "20.10", "consuntivo": "0.00"}
    meeting = _results(auditor_client.get(list_url("governance-meeting")))[0]
    assert meeting["date"] == "2030-01-15"


@pytest.mark.parametrize("basename", ["budget-budgetline", "change", "objectives-objective"])
def test_repeated_pull_gets_304(world, auditor_client, basename):
    first = auditor_client.get(list_url(basename))
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    again = auditor_client.get(list_url(basename), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    as_csv = auditor_client.get(list_url(basename), {"format": "csv"}, HTTP_IF_NONE_MATCH=etag)
    assert as_csv.status_code == 200  # another representation, another tag


def test_etag_changes_when_a_nested_total_changes(world, auditor_client):
    url = list_url("objectives-objective")
    etag = auditor_client.get(url)["ETag"]
    line = world.a[BudgetLine]
    line.preventivo = "11.05"
    line.save()
    response = auditor_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["results"][0]["totals"]["preventivo"] == "21.10"


def test_pages_walk_every_row_once(world, auditor_client):
    url = list_url("budget-budgetline")
    seen, params = [], {"page_size": 1}
    response = auditor_client.get(url, params)
    assert response["X-Total-Count"] == "2"
    while True:
        seen += [row["id"] for row in response.json()["results"]]
        if not response.json()["next"]:
            break
        assert 'rel="next"' in response["Link"]
        response = auditor_client.get(response.json()["next"])
    assert sorted(seen) == sorted(BudgetLine.objects.filter(
        action__objective__plan__zone_plan__ambito=world.a.ambito).values_list("pk", flat=True))


def test_filters_narrow_the_budget_lines(world, auditor_client):
    line = world.a[BudgetLine]
    plan = line.action.objective.plan
    url = list_url("budget-budgetline")
    for params in ({"plan": plan.pk}, {"year": plan.year}, {"objective": line.action.objective_id},
                   {"action": line.action_id}, {"ambito": world.a.ambito.slug},
                   {"objective_number": 1}, {"ordering": "-preventivo"}):
        assert len(_results(auditor_client.get(url, params))) == 2, params
    for params in ({"plan": plan.pk + 10_000}, {"year": plan.year + 1},
                   {"ambito": world.b.ambito.slug}, {"channel_code": "FNPS"},
                   {"has_consuntivo": "true"}):
        assert _results(auditor_client.get(url, params)) == [], params
    assert auditor_client.get(url, {"year": "2**99"}).status_code == 400
    assert auditor_client.get(url, {"plan": str(2**70)}).status_code == 400


@pytest.mark.parametrize("basename", ALL)
def test_browsable_api_with_the_session(world, client, basename):
    client.force_login(world.user("auditor_a"))
    response = client.get(list_url(basename), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Token " not in response.content.decode()  # no credentials echoed into the page
