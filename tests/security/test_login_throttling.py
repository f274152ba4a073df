"""Login lockout (django-axes) on the site, the admin and the API token endpoint; API rate limits.

Five wrong passwords for one username from one address lock that pair for 15 minutes:
the same user from another address, and other users from the same address, still log in.
"""

from datetime import timedelta
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.builders import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
ATTACKER, OFFICE = "203.0.113.9", "198.51.100.20"
LOCKED = "Troppi tentativi di accesso non riusciti: per sicurezza l'accesso con questo nome " \
    "utente da questo indirizzo è sospeso per 15 minuti."


@pytest.fixture
def mayor():
    return make_user("sindaco")


def post_login(client, url, password, ip, username="sindaco"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("url_name", ["entry:login", "admin:login"])
def test_five_wrong_passwords_lock_that_user_from_that_address(client, mayor, url_name):
    url = reverse(url_name)
    for _ in range(4):
        response = post_login(client, url, "wrong-password-1", ATTACKER)
        assert response.status_code == 200  # the form again, with its error
    response = post_login(client, url, "wrong-password-1", ATTACKER)
    assert response.status_code == 429
    assert LOCKED in unescape(response.content.decode())
    assert response["Retry-After"] == "900"
    assert "<h1 class=\"mb-4\">Accesso sospeso</h1>" in response.content.decode()

    # Even the right password is refused from there, and no session is opened.
    response = post_login(client, url, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    # The mayor at the office is not locked out, nor is a colleague at the attacker's address.
    make_user("collega")
    assert post_login(client, url, PASSWORD, ATTACKER, username="collega").status_code == 302
    client.logout()
    assert post_login(client, url, PASSWORD, OFFICE).status_code == 302
    assert client.session["_auth_user_id"] == str(mayor.pk)


def test_the_lock_ends_after_the_cool_off(client, mayor):
    url = reverse("entry:login")
    for _ in range(5):
        post_login(client, url, "wrong-password-1", ATTACKER)
    assert post_login(client, url, PASSWORD, ATTACKER).status_code == 429
    # Move the attempts' clock rather than sleeping.
    attempt = AccessAttempt.objects.get(username="sindaco", ip_address=ATTACKER)
    attempt.attempt_time -= timedelta(minutes=16)
    attempt.save()
    assert post_login(client, url, PASSWORD, ATTACKER).status_code == 302


def test_a_successful_login_clears_the_count(client, mayor):
    url = reverse("entry:login")
    for _ in range(4):
        post_login(client, url, "wrong-password-1", OFFICE)
    assert post_login(client, url, PASSWORD, OFFICE).status_code == 302
    client.logout()
    for _ in range(4):
        assert post_login(client, url, "wrong-password-1", OFFICE).status_code == 200
    assert post_login(client, url, PASSWORD, OFFICE).status_code == 302


def test_a_forged_forwarded_for_does_not_dodge_the_lock(client, mayor, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # one reverse proxy of ours appends the real address
    url = reverse("entry:login")
    for n in range(5):
        response = client.post(url, {"username": "sindaco", "password": "wrong-password-1"},
                               REMOTE_ADDR="10.0.0.2",
                               HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, {ATTACKER}")
    assert response.status_code == 429
    assert AccessAttempt.objects.get(username="sindaco").ip_address == ATTACKER


TOKEN_URL = "/api/v1/auth/token/"


def test_token_endpoint_gives_the_token_and_locks_like_the_login(client, mayor):
    response = client.post(TOKEN_URL, {"username": "sindaco", "password": "wrong-password-1"},
                           REMOTE_ADDR=ATTACKER)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Nome utente o password non corretti."]}
    for _ in range(4):
        response = client.post(TOKEN_URL, {"username": "sindaco", "password": "wrong-password-1"},
                               REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_locked_out" and body["retry_after"] == 900
    assert body["detail"].startswith(LOCKED)
    assert not Token.objects.filter(user=mayor).exists()
    # Right password, wrong place: still locked; from the office: the token.
    assert client.post(TOKEN_URL, {"username": "sindaco", "password": PASSWORD},
                       REMOTE_ADDR=ATTACKER).status_code == 429
    response = client.post(TOKEN_URL, {"username": "sindaco", "password": PASSWORD},
                           REMOTE_ADDR=OFFICE, content_type="application/json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert key == Token.objects.get(user=mayor).key
    assert client.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_token_endpoint_is_in_the_schema(client, mayor):
    client.force_login(mayor)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operation = schema.json()["paths"]["/api/v1/auth/token/"]["post"]
    assert operation["summary"] == "Ottieni il token di accesso"
    # 415: a body that is neither a form nor JSON (documented with the other refusals).
    assert set(operation["responses"]) == {"200", "400", "415", "429"}


def test_api_rate_limit_per_token_answers_429_in_italian(client, mayor, settings):
    cache.clear()  # throttle counters are keyed by user ids, which repeat between tests
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"user": "2/hour"}}
    other = make_user("altro_revisore")
    auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=mayor).key}"}
    assert client.get("/api/v1/", **auth).status_code == 200
    assert client.get("/api/v1/", **auth).status_code == 200
    response = client.get("/api/v1/", **auth)
    assert response.status_code == 429
    assert 3000 <= int(response["Retry-After"]) <= 3600
    detail = response.json()["detail"]
    assert detail.startswith("Troppe richieste con queste credenziali: il limite è di 2 richieste "
                             "all'ora. Riprova tra ")
    assert detail.endswith(" secondi.")
    # The limit is per token: another auditor is not slowed down.
    other_auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=other).key}"}
    assert client.get("/api/v1/", **other_auth).status_code == 200
