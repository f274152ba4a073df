"""Bad query parameters are a 400 naming the parameter, never answered as if good (issue 20).

Generated over every endpoint of the router: a mistyped filter must not return the whole
table to an auditor who believes it filtered. Each test walks every endpoint in one world
(one world per endpoint and case would cost minutes).
"""

import pytest

from budget.models import BudgetLine, FundingChannel

from .conftest import ENDPOINTS, MODEL_ENDPOINTS, client_for, detail_url, list_url, model_of

ALL = sorted(ENDPOINTS)
MODELS = sorted(MODEL_ENDPOINTS)
EXPORTS = ["/api/v1/budget/budget-lines/export/", "/api/v1/indicators/measurements/export/"]


def _refused(response, parameter, *words):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert parameter in body, body
    message = " ".join(body[parameter])
    for word in words:
        assert word in message, (word, message)
    return message


def test_an_unknown_parameter_is_refused_with_those_accepted(world, auditor_client):
    for basename in ALL:
        response = auditor_client.get(list_url(basename), {"anno": "2015"})
        message = _refused(response, "anno", "Parametro sconosciuto", "page_size", "format")
        if basename != "change":
            assert "ambito" in message and "ordering" in message, basename


@pytest.mark.parametrize("ordering", ["__injection__", "ambito__users__password", "id,-nope"])
def test_an_ordering_not_offered_is_refused(world, auditor_client, ordering):
    for basename in ALL:
        response = auditor_client.get(list_url(basename), {"ordering": ordering})
        if basename == "change":  # the feed has one order: no ordering parameter at all
            _refused(response, "ordering", "Parametro sconosciuto")
        else:
            _refused(response, "ordering", "non ammesso", "-id")


@pytest.mark.parametrize(("parameter", "value"), [
    ("page_size", "0"), ("page_size", "-1"), ("page_size", "1001"), ("page_size", "abc"),
    ("page", "abc"), ("page", "0"), ("page", "last"), ("format", "xml"),
])
def test_a_bad_page_or_format_is_a_400(world, auditor_client, parameter, value):
    for basename in ALL:
        response = auditor_client.get(list_url(basename), {parameter: value})
        _refused(response, parameter, value)
        # The error is JSON even when CSV was asked for.
        response = auditor_client.get(list_url(basename), {parameter: value, "format": "csv"})
        if parameter != "format":
            _refused(response, parameter, value)


def test_good_parameters_still_work(world, auditor_client):
    for basename in ALL:
        params = {"page_size": "1000", "page": "1", "format": "json"}
        if basename != "change":
            params["ordering"] = "-id,id"
        response = auditor_client.get(list_url(basename), params)
        assert response.status_code == 200, (basename, response.content[:300])
        assert response.json()["results"], basename
        # An empty value is no filter, as in an HTML form.
        assert auditor_client.get(list_url(basename), {"page_size": ""}).status_code == 200
        # A page past the last one is not found (404), not a bad parameter.
        assert auditor_client.get(list_url(basename), {"page": "999"}).status_code == 404


def test_a_detail_and_its_history_refuse_unknown_parameters(world, auditor_client):
    for basename in MODELS:
        url = detail_url(basename, world.a[model_of(basename)].pk)
        _refused(auditor_client.get(url, {"ambito": "alfa"}), "ambito", "format")
        _refused(auditor_client.get(url, {"format": "xml"}), "format", "json", "csv")
        _refused(auditor_client.get(url + "history/", {"cursor": ""}), "cursor", "page")
        _refused(auditor_client.get(url + "history/", {"page_size": "0"}), "page_size")
        assert auditor_client.get(url + "history/", {"page_size": "5"}).status_code == 200


def test_a_boolean_is_true_or_false(world, auditor_client):
    url = list_url("budget-fundingchannel")
    _refused(auditor_client.get(url, {"restricted": "maybe"}), "restricted", "true, false")
    for value in ("true", "TRUE", "false", "0"):
        assert auditor_client.get(url, {"restricted": value}).status_code == 200
    lines = list_url("budget-budgetline")
    _refused(auditor_client.get(lines, {"has_consuntivo": "sì"}), "has_consuntivo")


def test_a_choice_outside_its_values_lists_them(world, auditor_client):
    response = auditor_client.get(list_url("indicators-measurement"), {"state": "bogus"})
    _refused(response, "state", "Valori ammessi", "value")
    response = auditor_client.get(list_url("change"), {"model": "budget.nope"})
    _refused(response, "model", "budget.budgetline")


def test_an_integer_filter_refuses_text_and_the_out_of_range(world, auditor_client):
    url = list_url("budget-budgetline")
    _refused(auditor_client.get(url, {"year": "duemila"}), "year")
    _refused(auditor_client.get(url, {"year": str(2**31)}), "year")
    _refused(auditor_client.get(url, {"action": "-1"}), "action")


def test_codes_are_matched_whatever_the_case(world, auditor_client):
    slug = world.a.ambito.slug
    lines = list_url("budget-budgetline")

    def ids(url, params):
        response = auditor_client.get(url, {**params, "page_size": 1000})
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in response.json()["results"]]

    assert world.a[BudgetLine].pk in ids(lines, {"ambito": slug.upper()})
    assert ids(lines, {"ambito": slug.upper()}) == ids(lines, {"ambito": slug})
    allocations = list_url("budget-fundingallocation")
    assert ids(allocations, {"channel_code": "fnps"}) == ids(
        allocations, {"channel_code": "FNPS"}) != []
    channels = list_url("budget-fundingchannel")
    assert world.a[FundingChannel].pk in ids(channels, {"code": "fnps"})
    ambiti = ids(list_url("governance-ambito"), {"ambito": slug.upper()})
    assert ambiti == [world.a.ambito.pk]
    feed = auditor_client.get(list_url("change"), {"ambito": slug.upper(), "page_size": 1000})
    assert feed.json()["results"]


@pytest.mark.parametrize("url", EXPORTS)
def test_an_export_refuses_what_it_does_not_take(world, url):
    client = client_for(world.user("auditor_a"))
    _refused(client.get(url, {"anno": "2015"}), "anno", "ambito")
    _refused(client.get(url, {"format": "xml"}), "format", "csv")
    _refused(client.get(url, {"ambito_id": "x"}), "ambito_id")
    assert client.get(url, {"ambito": world.a.ambito.slug.upper()}).status_code == 200


def test_anonymous_still_gets_401_before_any_400(world):
    assert client_for().get(list_url("budget-budgetline"), {"anno": "1"}).status_code == 401
