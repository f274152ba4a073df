"""schemathesis over the whole OpenAPI schema, in-process through the WSGI app, as an auditor.

One test per operation: valid requests (on an object the auditor may see, for the detail
operations) and invalid ones. Bounded (a few examples each, derandomized) so the suite stays
fast and repeatable. Asserts no 5xx and that every response matches the schema.

The pytest plugin of schemathesis does not run under pytest 9 (it uses a removed node
attribute), so the operations are parametrized here and driven with Hypothesis directly.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from objectives.models import OperatingPlan

from .conftest import MODEL_ENDPOINTS, list_url, model_of

# One world for the module, a deep copy for each test (tests/conftest.py).
pytestmark = pytest.mark.shared_world

EXAMPLES = 4
# Every check schemathesis has for one response (None: all that are enabled, which is all by
# default): server errors, status codes, content types, headers and bodies against the
# schema, invalid data refused, valid data accepted, missing auth refused, unsupported
# methods. The stateful ones (use_after_free, ensure_resource_availability) need a
# stateful run, which a read-only API does not have: off.
CHECKS = None
# The one exception: generated usernames and passwords are well formed but belong to nobody,
# and the token endpoint refuses them (400, "Nome utente o password non corretti"), as it
# must. The real login below checks that valid credentials are accepted.
LOGIN_EXCLUDED = [positive_data_acceptance]


RAW = json.loads(
    OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
)
SCHEMA = schemathesis.openapi.from_dict(RAW)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def wsgi_app():
    """The real WSGI app, kept inside the test's transaction as Django's test client does.

    Otherwise the start and end of each request close the connection on PostgreSQL, whose
    autocommit state inside the test transaction looks "unusable".
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # On the schema, so that the checks that send a request again (without credentials,
    # with another method) reach the same app.
    SCHEMA.app = get_wsgi_application()
    try:
        yield SCHEMA.app
    finally:
        SCHEMA.app = None
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _visible_id(world, path):
    """The id of ambito A's object behind a detail path, so valid calls reach real data."""
    if "{id}" not in path:
        return None
    if path.endswith("/totals/"):
        return world.a[OperatingPlan].pk
    for basename in MODEL_ENDPOINTS:
        if path.startswith(list_url(basename)):
            return world.a[model_of(basename)].pk
    raise AssertionError(f"no endpoint for {path}")


def test_every_operation_is_covered():
    assert len(OPERATIONS) == sum(len(methods) for methods in RAW["paths"].values())
    # list, detail and history of every model, the plan totals, the change feed, the two
    # streamed exports, the token endpoint and the Comuni's spesa sociale summary
    assert len(OPERATIONS) == 3 * len(MODEL_ENDPOINTS) + 6


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_operation_conforms_to_the_schema(world, wsgi_app, operation):
    headers = {"Authorization": f"Token {Token.objects.create(user=world.user('auditor_a')).key}"}
    object_id = _visible_id(world, operation.path)
    path_parameters = {"id": object_id} if object_id is not None else None
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_parameters),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    excluded = LOGIN_EXCLUDED if operation.method.upper() == "POST" else None
    statuses = []
    for strategy in strategies:

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
            phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
        )
        def conforms(case):
            response = case.call_and_validate(app=wsgi_app, headers=headers, checks=CHECKS,
                                              excluded_checks=excluded)
            statuses.append(response.status_code)

        conforms()
    if operation.method.upper() == "POST":
        # Generated credentials never log in: one real auditor's login must give a token.
        case = operation.Case(body={"username": "auditor_a", "password": "a-long-test-password"},
                              media_type="application/json")
        response = case.call_and_validate(app=wsgi_app, checks=CHECKS)
        statuses.append(response.status_code)
    assert 200 in statuses  # the valid calls did reach data, not only errors
