"""Under production settings the session and CSRF cookies are __Host- cookies."""

import pytest
from django.urls import reverse

from tests.builders import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def test_login_sets_host_prefixed_secure_cookies(client):
    make_user("cookie_user")
    page = client.get(reverse("entry:login"), secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] is True and csrf["path"] == "/" and csrf["domain"] == ""
    assert csrf["samesite"] == "Lax"

    response = client.post(reverse("entry:login"),
                           {"username": "cookie_user", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    assert "sessionid" not in response.cookies and "__Secure-sessionid" not in response.cookies
    header = response.cookies["__Host-sessionid"].output()
    assert header.startswith("Set-Cookie: __Host-sessionid=")
    for attribute in ("HttpOnly", "Path=/", "SameSite=Lax", "Secure"):
        assert attribute in header, header
    assert "Domain=" not in header
    # The cookie carries the login: the next page opens.
    assert client.get(reverse("objectives:plan_list"), secure=True).status_code == 200
