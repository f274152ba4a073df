"""The privacy notice (art. 13 GDPR): public, complete, configurable, linked from every page."""

import pytest
from django.urls import reverse

PRIVACY = "/privacy/"


def test_route_is_privacy():
    assert reverse("privacy") == PRIVACY


@pytest.mark.django_db
def test_anonymous_reads_the_notice_with_every_required_part(client):
    response = client.get(PRIVACY)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "<h1 class=\"mb-3\">Informativa sul trattamento dei dati personali</h1>",
        "Titolare del trattamento",
        "Responsabile della protezione dei dati",
        "articolo 6, paragrafo 1, lettera e)",
        "legge 8 novembre 2000, n. 328",
        "Referenti degli obiettivi",
        "Componenti degli organismi",
        "Utenti dell'applicazione",
        "Registri",
        "Destinatari",
        "Periodo di conservazione",
        "Diritti degli interessati",
        "Garante per la protezione dei dati personali",
    ):
        assert text in page, text
    # Nothing configured: a generic controller, never an empty sentence or a fake address.
    assert "<strong>l&#x27;ente capofila dell&#x27;Ambito territoriale</strong>" in page
    assert "mailto:" not in page
    assert "I registri degli accessi sono conservati per 180 giorni." in page


@pytest.mark.django_db
def test_the_deployer_names_the_controller_in_settings_or_env(client, settings, monkeypatch):
    settings.PRIVACY_CONTROLLER_NAME = "Comune di Crema, ente capofila dell'Ambito Cremasco"
    settings.PRIVACY_CONTROLLER_ADDRESS = "Piazza Duomo 25, 26013 Crema (CR)"
    monkeypatch.setenv("PRIVACY_CONTROLLER_EMAIL", "ufficiodipiano@comune.crema.cr.it")
    monkeypatch.setenv("PRIVACY_DPO_EMAIL", "rpd@comune.crema.cr.it")
    monkeypatch.setenv("PRIVACY_LOG_RETENTION_DAYS", "90")
    page = client.get(PRIVACY).content.decode()
    assert "Comune di Crema, ente capofila dell&#x27;Ambito Cremasco" in page
    assert "Piazza Duomo 25, 26013 Crema (CR)" in page
    assert 'href="mailto:ufficiodipiano@comune.crema.cr.it"' in page
    assert 'href="mailto:rpd@comune.crema.cr.it"' in page
    assert "conservati per 90 giorni" in page
    assert "pubblicati sul sito istituzionale" not in page


@pytest.mark.django_db
def test_configured_values_are_escaped(client, settings):
    settings.PRIVACY_CONTROLLER_NAME = "<script>alert(1)</script>"
    page = client.get(PRIVACY).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _has_footer_link(response):
    assert response.status_code == 200
    page = response.content.decode()
    footer = page[page.index('<footer class="it-footer">'):]
    return f'href="{PRIVACY}"' in footer


@pytest.mark.django_db
def test_login_page_links_the_notice(client):
    assert _has_footer_link(client.get(reverse("entry:login")))
    assert _has_footer_link(client.get(PRIVACY))


def test_every_page_of_a_signed_in_user_links_the_notice(world, client):
    client.force_login(world.user("staff_a"))
    assert _has_footer_link(client.get(reverse("objectives:plan_list")))
    # Signed in or not, the notice stays readable.
    assert client.get(PRIVACY).status_code == 200
