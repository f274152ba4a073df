"""manage.py close_year --ambito TEXT --year YYYY [--dry-run]."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from budget.models import BudgetLine, FundingAllocation, Surplus
from objectives.models import OperatingPlan

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command("close_year", *args, stdout=out)
    return out.getvalue()


def _snapshot():
    return (
        list(OperatingPlan.objects.order_by("pk").values_list("pk", "state")),
        Surplus.objects.count(), FundingAllocation.objects.count(), BudgetLine.objects.count(),
        OperatingPlan.history.count(), Surplus.history.count(),
    )


def test_dry_run_prints_the_figures_and_changes_nothing():
    before = _snapshot()
    out = _run("--ambito", "CREMASCO", "--year", "2018", "--dry-run")
    assert _snapshot() == before
    assert "Avanzo di gestione: 869.860,50 €" in out
    assert "Obiettivo 10 – MISURE DISTRETTUALI E REGIONALI" in out
    assert ("Azione 4 – Dopo di noi: 214.253,55 € (fondi vincolati 214.253,55 €, "
            "fondo indistinto 0,00 €)") in out
    assert "Totale avanzo vincolato: 533.818,45 €" in out
    assert "Totale avanzo non vincolato: 336.042,05 €" in out
    assert out.rstrip().endswith("Anteprima: nessun dato modificato.")


def test_dry_run_of_an_open_plan_shows_what_blocks_the_closing():
    before = _snapshot()
    out = _run("--ambito", "cremasco", "--year", "2015", "--dry-run")
    assert _snapshot() == before
    assert "Da sistemare: Manca il consuntivo di" in out


@pytest.mark.parametrize("args, message", [
    (["--ambito", "bergamo", "--year", "2018"], "Nessun ambito corrisponde a «bergamo»"),
    (["--ambito", "crem", "--year", "2018"], "corrisponde a più ambiti"),
    (["--ambito", "cremasco", "--year", "2031"], "non ha un Piano Operativo 2031"),
])
def test_no_matching_plan_exits_non_zero_with_a_clear_message(args, message):
    before = _snapshot()
    with pytest.raises(CommandError, match=message) as exc:
        _run(*args, "--dry-run")
    assert exc.value.returncode == 1
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert _snapshot() == before


def test_a_closed_year_is_left_as_it_is():
    before = _snapshot()
    out = _run("--ambito", "cremasco", "--year", "2018")
    assert "è già chiuso: nessuna modifica" in out
    assert _snapshot() == before


def test_a_refused_closing_exits_non_zero():
    before = _snapshot()
    with pytest.raises(CommandError, match="Manca il consuntivo"):
        _run("--ambito", "cremasco", "--year", "2015")
    assert _snapshot() == before


def test_closing_from_the_command_line(seed_2018):
    from objectives.services import plan_approve

    plan_approve(plan=seed_2018.plan, deliberation=seed_2018.deliberation,
                 user=seed_2018.staff, shortfall_note="Avanzo 2017")
    seed_2018.enter_consuntivo()
    out = _run("--ambito", "Ambito distrettuale cremasco", "--year", "2018")
    assert "Piano Operativo 2018 chiuso. L'avanzo entra nel Piano Operativo 2019 " \
           "(creato in bozza)." in out
    seed_2018.plan.refresh_from_db()
    assert seed_2018.plan.state == "chiuso"
    assert seed_2018.plan.history.first().history_user is None
    assert "è già chiuso" in _run("--ambito", "cremasco", "--year", "2018")
