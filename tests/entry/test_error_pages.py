"""Refusals and missing pages answer in Italian, in the app's layout, with the reason."""

import pytest

from .conftest import login, urls

pytestmark = pytest.mark.shared_world


def test_a_refused_page_says_why_in_italian(client, world, entry):
    login(client, world, "auditor_a")
    response = client.get(urls(entry)["budget"])
    assert response.status_code == 403
    content = response.content.decode()
    assert '<html lang="it">' in content
    assert "Accesso non consentito" in content
    # The access policy's own reason, not Django's bare "403 Forbidden".
    assert "Le pagine di inserimento non sono previste per il tuo ruolo." in content
    assert "403 Forbidden" not in content


def test_a_missing_page_answers_in_italian(client, world):
    login(client, world, "staff_a")
    response = client.get("/piani/999999/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Pagina non trovata" in content and '<html lang="it">' in content
