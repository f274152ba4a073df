"""Database down: an Italian 503 page (JSON for the API) instead of a traceback.

The error can surface in two places. Raised by the view, or by ``ATOMIC_REQUESTS``
opening the connection just before it, it reaches :class:`DatabaseUnavailableMiddleware`
(``process_exception``). Raised by a middleware (the session, ``request.user``, axes), Django
turns it into a response at that layer and calls ``handler500``: :func:`server_error`
looks at the exception being handled and answers 503 as well.

Both pages are rendered without the request, hence without context processors: nothing
on them may touch the database that is missing.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60

UNAVAILABLE = (
    "Servizio temporaneamente non disponibile: il database non risponde. "
    "Riprovare tra qualche minuto."
)
SERVER_ERROR = (
    "Errore interno del server: l'operazione non è stata completata. L'errore è stato "
    "registrato; riprovare più tardi."
)


def _wants_json(request):
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", "")


def _stylesheet():
    # A missing manifest entry must not turn the error page into another error.
    try:
        return static("pianozona/css/error.css")
    except ValueError:
        return f"{settings.STATIC_URL}pianozona/css/error.css"


def _page(template, status):
    return HttpResponse(render_to_string(template, {"stylesheet": _stylesheet()}),
                        status=status, content_type="text/html; charset=utf-8")


def service_unavailable(request):
    if _wants_json(request):
        response = JsonResponse(
            {"detail": UNAVAILABLE, "code": "servizio_non_disponibile"}, status=503)
    else:
        response = _page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("database non raggiungibile (%s %s)", request.method, request.path,
                         exc_info=exception)
            return service_unavailable(request)
        return None


def server_error(request):
    """``handler500``: 503 when the exception being handled is the database's, else 500."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return service_unavailable(request)
    if _wants_json(request):
        return JsonResponse({"detail": SERVER_ERROR, "code": "errore_interno"}, status=500)
    return _page("500.html", 500)
