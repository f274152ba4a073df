"""The project's URLs plus the error pages a browser cannot reach on purpose: a view that
fails (500), a request Django rejects as suspicious (400), a refused CSRF token, the
database-down page (503). Only the accessibility tests use it (settings.ROOT_URLCONF)."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path
from django.views.csrf import csrf_failure

from core.middleware import service_unavailable
from pianozona.urls import handler500  # noqa: F401
from pianozona.urls import urlpatterns as project_urlpatterns


def _fails(request):
    raise RuntimeError("a11y test: a view that fails")


def _suspicious(request):
    raise SuspiciousOperation("a11y test: a suspicious request")


urlpatterns = [
    path("_a11y/500/", _fails),
    path("_a11y/400/", _suspicious),
    path("_a11y/403-csrf/", lambda request: csrf_failure(request, reason="CSRF token missing.")),
    path("_a11y/503/", service_unavailable),
    *project_urlpatterns,
]
