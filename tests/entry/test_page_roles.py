"""Every page × every role, and every refused write leaves the data as it was."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import BudgetLine
from indicators.models import Measurement

from .conftest import ROLES, budget_post, login, quarter_post, urls

# One world for the module, a deep copy for each test (tests/conftest.py).
pytestmark = pytest.mark.shared_world

READERS = {"superuser", "staff_a", "referent_a", "assembly_a", "auditor_a"}
EXPECTED = {
    "plan_list": READERS | {"staff_b"},
    "plan_detail": READERS,
    "dashboard": READERS,
    "objective_detail": READERS,
    # Read by every role of the ambito, revisori included (issue 18): a read view.
    "budget": READERS,
    "budget_export": READERS,
    "quarter": READERS,
    "quarter_export": READERS,
    "budget_import": {"superuser", "staff_a"},
    "quarter_import": {"superuser", "staff_a", "referent_a"},
}


@pytest.mark.parametrize("page", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_get(client, world, entry, page, role):
    login(client, world, role)
    url = urls(entry)[page]
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("entry:login"))
    elif role in EXPECTED[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_pages_are_in_italian_with_the_ambito_in_the_header(client, world, entry):
    login(client, world, "staff_a")
    content = client.get(urls(entry)["dashboard"]).content.decode()
    assert '<html lang="it">' in content
    assert "Vai al contenuto principale" in content
    assert "Ambito alfa" in content
    assert "Cruscotto" in content


def test_plan_list_shows_only_own_ambito(client, world, entry):
    login(client, world, "staff_b")
    content = client.get(urls(entry)["plan_list"]).content.decode()
    assert world.b.ambito.name in content and world.a.ambito.name not in content


BUDGET_WRITERS = {"superuser", "staff_a"}


@pytest.mark.parametrize("role", ROLES)
def test_budget_post(client, world, entry, role):
    line = entry["line"]
    login(client, world, role)
    data = budget_post(entry["objective"], edits={line.pk: {"preventivo": "1.234,56"}})
    response = client.post(urls(entry)["budget"], data)
    line.refresh_from_db()
    if role in BUDGET_WRITERS:
        assert response.status_code == 302
        assert line.preventivo == Decimal("1234.56")
    else:
        assert response.status_code in (302, 403) if role == "anonymous" else 403
        assert line.preventivo == Decimal("10.05")


QUARTER_WRITERS = {"superuser", "staff_a", "referent_a"}


@pytest.mark.parametrize("role", ROLES)
def test_quarter_post(client, world, entry, role):
    indicator = entry["indicator"]
    login(client, world, role)
    data = quarter_post([indicator], [entry["milestone"]], entry["period_q1"],
                        values={indicator: ("value", "12", "")},
                        outcomes={entry["milestone"]: ("si", "fatto")})
    response = client.post(urls(entry)["quarter"], data)
    measurement = Measurement.objects.get(indicator=indicator, period_end=entry["period_q1"])
    entry["milestone"].refresh_from_db()
    if role in QUARTER_WRITERS:
        assert response.status_code == 302
        assert measurement.value == Decimal("12")
        assert entry["milestone"].achieved == "si"
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert measurement.value == Decimal("7")
        assert entry["milestone"].achieved == ""


def test_referent_sees_and_edits_only_own_objectives(client, world, entry):
    login(client, world, "referent_a")
    content = client.get(urls(entry)["quarter"]).content.decode()
    assert "N° utenti" in content
    assert "Indicatore altrui" not in content
    other = entry["other_indicator"]
    data = quarter_post([other], [], entry["period_q1"], values={other: ("value", "3", "")})
    assert client.post(urls(entry)["quarter"], data).status_code == 403
    assert not Measurement.objects.filter(indicator=other).exists()


def test_staff_lists_every_objective(client, world, entry):
    login(client, world, "staff_a")
    content = client.get(urls(entry)["quarter"]).content.decode()
    assert "Indicatore altrui" in content


def test_assembly_reads_entry_pages_without_fields_to_save(client, world, entry):
    login(client, world, "assembly_a")
    content = client.get(urls(entry)["budget"]).content.decode()
    assert "Salva il budget" not in content
    content = client.get(urls(entry)["quarter"]).content.decode()
    assert "Salva le rilevazioni" not in content


def test_import_post_refused_for_readers(client, world, entry):
    login(client, world, "assembly_a")
    response = client.post(urls(entry)["budget_import"], {})
    assert response.status_code == 403
    assert BudgetLine.objects.filter(action=entry["action"]).count() == 2
