"""The pages with the test client: Italian amounts, errors next to the field, conflicts, totals."""

from decimal import Decimal

import pytest

from budget.models import BudgetLine
from budget.selectors import objective_totals, plan_totals
from core.formatting import format_euro
from indicators.models import Measurement
from tests.builders import set_plan_state

from .conftest import budget_post, login, quarter_post, urls


def test_italian_amounts_are_accepted(client, world, entry):
    login(client, world, "staff_a")
    line = entry["line"]
    data = budget_post(entry["objective"], edits={line.pk: {"preventivo": "1.234.567,89"}},
                       new_rows=[{"action": entry["action"].pk, "item": "Nuova voce",
                                  "preventivo": "12,5"}])
    response = client.post(urls(entry)["budget"], data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.preventivo == Decimal("1234567.89")
    assert BudgetLine.objects.get(item="Nuova voce").preventivo == Decimal("12.50")


@pytest.mark.parametrize("typed, message", [
    ("abc", "non è un numero valido"),
    ("1.2.3", "non è un numero valido"),
    ("-5", "non può essere negativo"),
    ("1,234", "ha più di 2 decimali"),
])
def test_nonsense_amounts_are_refused_next_to_the_field(client, world, entry, typed, message):
    login(client, world, "staff_a")
    line = entry["line"]
    data = budget_post(entry["objective"], edits={line.pk: {"preventivo": typed}},
                       new_rows=[{"action": entry["action"].pk, "item": "Valida",
                                  "preventivo": "3,00"}])
    response = client.post(urls(entry)["budget"], data)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert 'aria-invalid="true"' in content
    assert "Nessuna riga è stata salvata" in content
    line.refresh_from_db()
    assert line.preventivo == Decimal("10.05")
    assert not BudgetLine.objects.filter(item="Valida").exists()


def test_new_line_without_preventivo_is_refused(client, world, entry):
    login(client, world, "staff_a")
    data = budget_post(entry["objective"],
                       new_rows=[{"action": entry["action"].pk, "item": "Senza importo",
                                  "preventivo": ""}])
    response = client.post(urls(entry)["budget"], data)
    assert "Inserisci il preventivo" in response.content.decode()
    assert not BudgetLine.objects.filter(item="Senza importo").exists()


def test_page_level_conflict_shows_the_other_change(client, world, entry):
    line = entry["line"]
    stale = budget_post(entry["objective"], edits={line.pk: {"preventivo": "30,00"}})
    login(client, world, "superuser")
    assert client.post(urls(entry)["budget"], budget_post(
        entry["objective"], edits={line.pk: {"preventivo": "20,00"}})).status_code == 302
    login(client, world, "staff_a")
    response = client.post(urls(entry)["budget"], stale)
    assert response.status_code == 409
    content = response.content.decode()
    assert "root" in content and "10,05 €" in content and "20,00 €" in content
    line.refresh_from_db()
    assert line.preventivo == Decimal("20.00")


def test_quarter_bad_value_is_refused_in_italian(client, world, entry):
    login(client, world, "referent_a")
    indicator = entry["indicator"]
    data = quarter_post([indicator], [entry["milestone"]], entry["period_q1"],
                        values={indicator: ("value", "dodici", "")},
                        outcomes={entry["milestone"]: ("si", "")})
    response = client.post(urls(entry)["quarter"], data)
    assert response.status_code == 200
    assert "non è un numero valido" in response.content.decode()
    assert Measurement.objects.get(indicator=indicator, period_end=entry["period_q1"]).value == 7
    entry["milestone"].refresh_from_db()
    assert entry["milestone"].achieved == ""


def test_quarter_nd_is_an_explicit_choice(client, world, entry):
    login(client, world, "referent_a")
    indicator = entry["indicator"]
    data = quarter_post([indicator], [], entry["period_q1"],
                        values={indicator: ("nd", "", "dato non pervenuto")})
    assert client.post(urls(entry)["quarter"], data).status_code == 302
    saved = Measurement.objects.get(indicator=indicator, period_end=entry["period_q1"])
    assert saved.state == "nd" and saved.value is None and saved.note == "dato non pervenuto"


def test_quarter_page_conflict_is_409(client, world, entry):
    indicator = entry["indicator"]
    stale = quarter_post([indicator], [], entry["period_q1"],
                         values={indicator: ("value", "9", "")})
    Measurement.objects.filter(indicator=indicator).update(value=Decimal("8"))
    login(client, world, "staff_a")
    response = client.post(urls(entry)["quarter"], stale)
    assert response.status_code == 409
    assert "mentre la stavi modificando" in response.content.decode()


@pytest.mark.parametrize("state", ["approvato", "chiuso"])
def test_frozen_plan_is_read_only_and_says_so(client, world, entry, state):
    set_plan_state(entry["plan"], state)
    login(client, world, "staff_a")
    content = client.get(urls(entry)["budget"]).content.decode()
    assert f"Piano {state}" in content
    line = entry["line"]
    response = client.post(urls(entry)["budget"], budget_post(
        entry["objective"], edits={line.pk: {"preventivo": "1,00"}}))
    line.refresh_from_db()
    assert line.preventivo == Decimal("10.05")
    if state == "chiuso":
        assert response.status_code == 403
        assert client.post(urls(entry)["quarter"], {}).status_code == 403
        assert client.get(urls(entry)["budget_import"]).status_code == 403
    else:  # the approved budget is fixed: the disabled fields keep their values
        assert response.status_code == 302


def test_detail_pages_show_the_selector_totals(client, world, entry):
    login(client, world, "auditor_a")
    plan_page = client.get(urls(entry)["plan_detail"]).content.decode()
    totals = plan_totals(plan=entry["plan"])
    assert format_euro(totals["preventivo"]) in plan_page
    objective_page = client.get(urls(entry)["objective_detail"]).content.decode()
    totals = objective_totals(objective=entry["objective"])
    assert f'id="objective-total-preventivo">{format_euro(totals["preventivo"])}' in objective_page
    dashboard = client.get(urls(entry)["dashboard"]).content.decode()
    assert "20,10 €" in dashboard  # two lines of 10,05 €, summed by the selector


def test_large_ids_and_years_are_never_grouped_in_pages(client, world, entry):
    """A pk of 4.311 once broke the budget grid's buttons (data-action="4.311")."""
    from objectives.models import Action

    big = Action.objects.create(objective=entry["objective"], number=9, title="Azione nuova",
                                pk=43110)
    client.force_login(world.user("staff_a"))
    page = client.get(f"/obiettivi/{entry['objective'].pk}/budget/").content.decode()
    assert f'data-action="{big.pk}"' in page
    assert "43.110" not in page
