"""The admin's Italian where Django's catalog has one form for every gender, and the filter
link of an empty value (issue 18, points 6 and axe link-name); the browser modules
test_admin_a11y_*.py see the same on the pages."""

import pytest

from core.templatetags.pianozona_admin import add_another, save_and_add_another
from governance.models import Municipality


@pytest.mark.parametrize("name, expected", [
    ("azione", "Aggiungi un'altra azione"),
    ("variazione di bilancio", "Aggiungi un'altra variazione di bilancio"),
    ("riga di budget", "Aggiungi un'altra riga di budget"),
    ("referente", "Aggiungi un altro referente"),
    ("obiettivo", "Aggiungi un altro obiettivo"),
])
def test_add_another_agrees_with_the_name(name, expected):
    assert add_another(name) == expected


def test_save_and_add_another_agrees_with_the_name():
    assert save_and_add_another("variazione di bilancio") == "Salva e aggiungi un'altra"
    assert save_and_add_another("obiettivo") == "Salva e aggiungi un altro"


def test_the_empty_value_of_a_text_filter_has_a_name(client, world):
    municipality = world.a[Municipality]
    assert municipality.size_class == ""
    client.force_login(world.user("staff_a"))
    response = client.get("/admin/governance/municipality/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="?size_class=">(non indicato)</a>' in html


def test_the_empty_value_of_a_related_filter_has_a_name(client, world):
    # A budget line without a channel is filtered by "(non indicato)", not by a bare "-".
    client.force_login(world.user("staff_a"))
    response = client.get("/admin/budget/budgetline/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="?channel__isnull=True">(non indicato)</a>' in html
    assert '<a href="?channel__isnull=True">-</a>' not in html
