"""Fixtures of the API tests: clients with a token, and the endpoints taken from the router."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pianozona.api.urls import router

ENDPOINTS = {basename: viewset for _, viewset, basename in router.registry}
MODEL_ENDPOINTS = {
    basename: viewset for basename, viewset in ENDPOINTS.items()
    if getattr(viewset, "queryset", None) is not None
}


def list_url(basename):
    return reverse(f"{basename}-list")


def detail_url(basename, pk):
    return reverse(f"{basename}-detail", args=[pk])


def model_of(basename):
    return MODEL_ENDPOINTS[basename].queryset.model


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # Throttle counters live in the cache and user ids repeat between tests.
    cache.clear()
    yield
    cache.clear()


def client_for(user=None):
    """An API client that authenticates like a script: with the user's token."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def auditor_client(world):
    return client_for(world.user("auditor_a"))
