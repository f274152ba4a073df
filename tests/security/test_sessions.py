"""Sessions end after 30 idle minutes and 8 hours after the login (a moved clock, no sleep)."""

import pytest
from django.urls import reverse

from security import sessions
from tests.builders import make_user

pytestmark = pytest.mark.django_db
MINUTE = 60


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        at = 1_900_000_000.0

        def move(self, minutes):
            self.at += minutes * MINUTE

    clock = Clock()
    monkeypatch.setattr(sessions, "now", lambda: clock.at)
    return clock


@pytest.fixture
def staff(client, clock):
    client.force_login(make_user("idle_staff"))
    return client


def plans(client):
    return client.get(reverse("objectives:plan_list"))


def test_activity_keeps_the_session_and_idleness_ends_it(staff, clock):
    assert plans(staff).status_code == 200
    clock.move(29)
    assert plans(staff).status_code == 200
    clock.move(29)  # 29 minutes since the last page, 58 since the login
    assert plans(staff).status_code == 200
    clock.move(31)
    response = plans(staff)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('entry:login')}?next=/piani/"
    login_page = staff.get(response["Location"])
    assert "La sessione è scaduta per inattività: accedi di nuovo." in login_page.content.decode()
    # Logged out for good, not only redirected once.
    assert plans(staff).status_code == 302
    assert "_auth_user_id" not in staff.session


def test_the_login_lasts_eight_hours_at_most_even_when_active(staff, clock):
    for _ in range(8 * 3):
        clock.move(20)
        assert plans(staff).status_code == 200
    clock.move(1)
    response = plans(staff)
    assert response.status_code == 302
    page = staff.get(response["Location"])
    assert "La sessione è scaduta (durata massima raggiunta): accedi di nuovo." in \
        page.content.decode()


def test_the_idle_limit_comes_from_the_settings(staff, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * MINUTE
    clock.move(4)
    assert plans(staff).status_code == 200
    clock.move(6)
    assert plans(staff).status_code == 302


def test_an_idle_api_session_answers_as_anonymous(staff, clock):
    url = reverse("api-root")
    assert staff.get(url).status_code == 200
    clock.move(31)
    response = staff.get(url)
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
