"""The OpenAPI schema builds without warnings, describes everything, and its docs need a login."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.settings import api_settings

from .conftest import ENDPOINTS, client_for, list_url

DOC_URLS = ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_builds_and_validates_without_warnings(tmp_path):
    # --fail-on-warn turns any warning (unresolvable type, enum collision…) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


def test_every_router_endpoint_is_in_the_schema(schema):
    paths = schema["paths"]
    for basename in ENDPOINTS:
        assert list_url(basename) in paths, basename


def test_every_operation_parameter_and_field_is_described(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary") or operation.get("description"), where
            assert operation.get("description"), where
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{where} ?{parameter['name']}"
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            described = spec.get("description") or any(
                part.get("description") for part in spec.get("allOf", [])
            )
            assert described, f"{name}.{field}"


def test_money_is_a_string_in_the_schema(schema):
    line = schema["components"]["schemas"]["BudgetLine"]["properties"]
    assert line["preventivo"]["type"] == "string"
    assert line["preventivo"]["format"] == "decimal"


@pytest.mark.parametrize("url", DOC_URLS)
def test_docs_refuse_anonymous(db, url):
    assert client_for().get(url).status_code == 401


@pytest.mark.parametrize("url", DOC_URLS)
def test_docs_are_served_without_a_cdn(world, url):
    response = client_for(world.user("auditor_a")).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn.jsdelivr" not in body and "unpkg.com" not in body
    if url != "/api/v1/schema/":
        assert "/static/drf_spectacular_sidecar/" in body


def test_the_api_root_lists_every_endpoint(world):
    root = client_for(world.user("auditor_a")).get("/api/v1/").json()
    assert len(root) == len(ENDPOINTS)


def test_throttle_per_token(world):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/hour"}
    client = client_for(world.user("auditor_a"))
    other = client_for(world.user("staff_a"))
    with override_settings(REST_FRAMEWORK={
        **api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates
    }):
        codes = [client.get(list_url("governance-ambito")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert other.get(list_url("governance-ambito")).status_code == 200
