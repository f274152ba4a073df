"""Weak passwords are refused, in Italian, where staff change them (the admin)."""

import pytest
from django.urls import reverse

from tests.builders import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def test_admin_password_change_refuses_a_weak_password(client):
    user = make_user("mario.rossi")
    client.force_login(user)
    url = reverse("admin:password_change")
    for weak, message in (
        ("corta123", "Questa password è troppo corta. Deve contenere almeno 12 caratteri."),
        ("password1234", "Questa password è troppo comune."),
        ("739164820573", "Questa password è interamente numerica."),
        ("mario.rossi.2026", "La password è troppo simile a nome utente."),
    ):
        response = client.post(url, {"old_password": PASSWORD, "new_password1": weak,
                                     "new_password2": weak})
        assert response.status_code == 200, weak
        assert message in response.content.decode(), weak
        user.refresh_from_db()
        assert user.check_password(PASSWORD), weak

    strong = "tre-gatti-sul-tetto-di-Crema"
    response = client.post(url, {"old_password": PASSWORD, "new_password1": strong,
                                 "new_password2": strong})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)


def test_superuser_setting_a_password_is_held_to_the_same_rule(client):
    root = make_user("root", superuser=True)
    target = make_user("nuovo.utente")
    client.force_login(root)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(url, {"password1": "12345678", "password2": "12345678",
                                 "usable_password": "true"})
    assert response.status_code == 200
    assert "Questa password è troppo corta. Deve contenere almeno 12 caratteri." in \
        response.content.decode()
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
