"""The optional second factor (TOTP): enrolment, the two-step login, the admin, the API."""

from html import unescape

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tests.builders import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
WRONG_CODE = "Il codice non è valido o è scaduto: inserisci quello mostrato ora dall'app."


def code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def wrong(device):
    return f"{(int(code(device)) + 500_000) % 1_000_000:06d}"


def fresh(device):
    """Let the next code be accepted: django-otp refuses a code used before (replay) and
    slows down after a wrong one; tests move on without waiting."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    device.refresh_from_db()
    return device


@pytest.fixture(autouse=True)
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def with_device(user):
    return TOTPDevice.objects.create(user=user, name="App di autenticazione", confirmed=True)


def page(response):
    return unescape(response.content.decode())


def test_enrolment_shows_a_qr_and_confirms_with_a_code(client):
    user = make_user("ufficio.crema")
    client.force_login(user)
    url = reverse("security:otp_enrol")
    response = client.get(url)
    assert response.status_code == 200
    html = page(response)
    assert '<svg width="' in html and "Codice QR per l'app di autenticazione" in html
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    assert "".join(html.split('<code class="pz-secret">')[1].split("</code>")[0].split()) \
        in device.config_url

    response = client.post(url, {"otp_token": wrong(device)})
    assert response.status_code == 400
    assert WRONG_CODE in page(response)
    device.refresh_from_db()
    assert device.confirmed is False

    response = client.post(url, {"otp_token": "12ab"})
    assert "Il codice è fatto di 6 cifre." in page(response)

    response = client.post(url, {"otp_token": code(fresh(device))}, follow=True)
    assert "Verifica in due passaggi attivata" in page(response)
    assert "è <strong>attiva</strong>" in page(response)
    device.refresh_from_db()
    assert device.confirmed is True
    # The session that enrolled is verified: pages keep opening.
    assert client.get(reverse("objectives:plan_list")).status_code == 200


def test_login_with_a_device_asks_for_the_code(client):
    user = make_user("sindaco.crema")
    device = with_device(user)
    response = client.post(reverse("entry:login"),
                           {"username": "sindaco.crema", "password": PASSWORD, "next": "/piani/"})
    assert response["Location"] == reverse("security:otp_verify")
    assert "_auth_user_id" not in client.session  # no session before the code
    assert client.get(reverse("objectives:plan_list")).status_code == 302

    verify = client.get(reverse("security:otp_verify"))
    assert "Codice di verifica" in page(verify)
    response = client.post(reverse("security:otp_verify"), {"otp_token": wrong(device)})
    assert response.status_code == 400 and WRONG_CODE in page(response)
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("security:otp_verify"), {"otp_token": code(fresh(device))})
    assert response["Location"] == "/piani/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/piani/").status_code == 200


def test_the_admin_login_asks_for_the_code_too(client):
    root = make_user("root", superuser=True)
    device = with_device(root)
    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    assert response["Location"] == reverse("security:otp_verify")
    assert client.get(reverse("admin:index")).status_code == 302
    response = client.post(reverse("security:otp_verify"), {"otp_token": code(device)})
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_without_a_device_the_login_is_unchanged(client):
    make_user("referente")
    response = client.post(reverse("entry:login"), {"username": "referente", "password": PASSWORD})
    assert response["Location"] == reverse("objectives:plan_list")
    assert client.get(reverse("objectives:plan_list")).status_code == 200
    response = client.post(reverse("admin:login"), {"username": "referente", "password": PASSWORD})
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_session_without_the_code_reaches_nothing(client):
    """A session opened otherwise (before enrolling, the browsable API's login) must verify."""
    user = make_user("ufficio.cremona")
    device = with_device(user)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security:otp_verify"))
    response = client.get("/api/v1/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    client.post(f"{reverse('security:otp_verify')}?next=/admin/", {"otp_token": code(device)})
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get("/api/v1/").status_code == 200


def test_api_tokens_keep_working_and_getting_one_needs_the_code(client):
    user = make_user("revisore")
    device = with_device(user)
    token = Token.objects.create(user=user)
    assert client.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200

    url = reverse("api-token")
    response = client.post(url, {"username": "revisore", "password": PASSWORD})
    assert response.status_code == 400
    assert "Serve il codice di verifica" in response.json()["non_field_errors"][0]
    response = client.post(url, {"username": "revisore", "password": PASSWORD,
                                 "otp_token": code(device)})
    assert response.status_code == 200 and response.json() == {"token": token.key}


def test_superusers_can_be_required_to_enrol(client, settings):
    settings.PIANOZONA_OTP_REQUIRED_FOR_SUPERUSERS = True
    root = make_user("root", superuser=True)
    client.force_login(root)
    for url in (reverse("admin:index"), reverse("objectives:plan_list")):
        response = client.get(url)
        assert response["Location"] == reverse("security:otp_enrol"), url
    enrol = client.get(reverse("security:otp_enrol"))
    assert "la verifica in due passaggi è obbligatoria" in page(enrol)
    # Other staff are not forced.
    client.force_login(make_user("ufficio"))
    assert client.get(reverse("objectives:plan_list")).status_code == 200


def test_a_superuser_resets_a_lost_device_in_the_admin(client):
    root = make_user("root", superuser=True)
    root_device = with_device(root)
    lost = with_device(make_user("smarrito"))
    client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    client.post(reverse("security:otp_verify"), {"otp_token": code(root_device)})
    url = reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    client.logout()
    response = client.post(reverse("entry:login"), {"username": "smarrito", "password": PASSWORD})
    assert response["Location"] == reverse("objectives:plan_list")


def test_staff_without_the_permission_cannot_see_the_devices(client):
    staff = make_user("ufficio")
    client.force_login(staff)
    response = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert response.status_code == 403
