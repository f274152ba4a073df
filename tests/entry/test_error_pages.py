"""Refusals and missing pages answer in Italian, in the app's layout, with the reason."""

import pytest

from .conftest import login, urls

pytestmark = pytest.mark.shared_world


def test_a_refused_page_says_why_in_italian(client, world, entry):
    # The revisore reads the budget grid (issue 18) but may not import into it.
    login(client, world, "auditor_a")
    assert client.get(urls(entry)["budget"]).status_code == 200
    response = client.get(urls(entry)["budget_import"])
    assert response.status_code == 403
    content = response.content.decode()
    assert '<html lang="it">' in content
    assert "Accesso non consentito" in content
    # The access policy's own reason, not Django's bare "403 Forbidden".
    assert "Il tuo ruolo consente di consultare questi dati, non di modificarli." in content
    assert "403 Forbidden" not in content


def test_a_bad_request_answers_in_italian_in_the_layout(client, world, settings):
    from django.core.exceptions import SuspiciousOperation
    from django.test import RequestFactory
    from django.views.defaults import bad_request

    response = bad_request(RequestFactory().get("/"), SuspiciousOperation("x"))
    content = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="it">' in content and "Richiesta non valida" in content
    assert "Piano di Zona" in content  # the app's header
    assert "Nessun dato è stato modificato." in content


def test_a_stale_form_answers_in_italian(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("staff_a"))
    response = client.post("/accesso/", {})
    content = response.content.decode()
    assert response.status_code == 403
    assert "Modulo scaduto o non riconosciuto" in content and '<html lang="it">' in content


def test_a_missing_page_answers_in_italian(client, world):
    login(client, world, "staff_a")
    response = client.get("/piani/999999/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Pagina non trovata" in content and '<html lang="it">' in content
