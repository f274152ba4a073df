"""Database gone: an Italian 503 page, JSON for the API, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PAGE_TEXT = "Servizio temporaneamente non disponibile"
TECHNICAL = ("Traceback", "OperationalError", "psycopg", "sqlite3", "File \"", "Error 111",
             "connection refused", "Connection refused")


@pytest.fixture
def database_gone(django_db_blocker):
    """The default connection points at a closed port (PostgreSQL) or an unopenable file.

    SQLite's test database lives in memory for as long as a connection to it is open, and
    Django ignores ``close()`` on it: closing would have left the open connection in use
    (the page answered from the live database) and, once the name had changed, destroyed
    the test database for the tests after. Its connection is set aside instead, so that the
    app has to open a new one, and put back afterwards.
    """
    original = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        kept = None
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            kept, connection.connection = connection.connection, None
        else:
            connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
        else:
            connection.settings_dict["NAME"] = "/nonexistent-directory/pianozona.sqlite3"
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(original)
            if kept is not None:
                connection.connection = kept


def _assert_no_trace(body):
    for word in TECHNICAL:
        assert word not in body, word


@pytest.fixture
def browser_client():
    # Errors raised in middleware reach handler500; the test client would re-raise them.
    return Client(raise_request_exception=False, HTTP_ACCEPT="text/html")


@pytest.mark.parametrize("path", ["/piani/", "/report/", f"/{settings.ADMIN_URL}login/",
                                  "/accesso/"])
def test_pages_answer_an_italian_503(database_gone, browser_client, path):
    response = browser_client.get(path)
    body = response.content.decode()
    assert response.status_code == 503, path
    assert response["Content-Type"].startswith("text/html") and response["Retry-After"]
    assert PAGE_TEXT in body and 'lang="it"' in body
    _assert_no_trace(body)


def test_a_logged_in_user_gets_the_503_even_when_the_session_is_what_fails(database_gone,
                                                                          browser_client):
    # The session is read from the database by middleware, before any view: handler500.
    browser_client.cookies[settings.SESSION_COOKIE_NAME] = "s" * 32
    for response in (browser_client.get("/piani/"),
                     browser_client.post("/piani/", {"anything": "1"})):
        assert response.status_code == 503
        assert PAGE_TEXT in response.content.decode()
        _assert_no_trace(response.content.decode())


def test_the_api_answers_a_json_503(database_gone):
    client = Client(raise_request_exception=False)
    for headers in ({"HTTP_AUTHORIZATION": "Token " + "0" * 40}, {}):
        response = client.get("/api/v1/governance/ambiti/", **headers)
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        payload = json.loads(response.content)
        assert payload["code"] == "servizio_non_disponibile"
        assert payload["detail"].startswith(PAGE_TEXT)
        _assert_no_trace(response.content.decode())


def test_the_health_check_says_the_database_is_down(database_gone):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "non raggiungibile"}


def test_an_unexpected_error_gets_the_italian_500_page(monkeypatch, db):
    from objectives import views

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(views.PlanListView, "get", broken, raising=False)
    client = Client(raise_request_exception=False)
    user = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
    client.force_login(user.objects.create_superuser("errore500", "e@example.org", "x" * 16))
    response = client.get("/piani/")
    body = response.content.decode()
    assert response.status_code == 500 and "Si è verificato un errore imprevisto" in body
    assert "ZeroDivisionError" not in body and "Traceback" not in body


def test_a_production_process_with_the_database_gone(tmp_path):
    """The whole stack, as deployed: production settings, a DATABASE_URL nobody answers."""
    script = (
        "import django, json\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "out = {}\n"
        "for path in ('/piani/', '/api/v1/governance/ambiti/'):\n"
        "    r = client.get(path, HTTP_HOST='localhost', secure=True)\n"
        "    out[path] = [r.status_code, r['Content-Type'], r.content.decode()]\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pianozona.settings",
           "DJANGO_SECRET_KEY": "faults-test-secret-key-0123456789-abcdefghijklmnop",
           "DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "localhost",
           "DATABASE_URL": "postgres://pianozona@127.0.0.1:1/pianozona",
           "CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "DJANGO_MEDIA_ROOT": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    status, kind, body = result["/piani/"]
    assert status == 503 and kind.startswith("text/html") and PAGE_TEXT in body
    _assert_no_trace(body)
    status, kind, body = result["/api/v1/governance/ambiti/"]
    assert status == 503 and kind == "application/json"
    assert json.loads(body)["code"] == "servizio_non_disponibile"
