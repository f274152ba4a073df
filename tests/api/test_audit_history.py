"""History an auditor can read: no empty entries, and the seed loads say who and why (issue 20)."""

import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from budget.models import BudgetLine
from core.history_writes import recording
from governance.models import SourceDocument
from seeds.loader import FIXTURES_DIR

from .conftest import detail_url, list_url


def _history_url(line):
    return detail_url("budget-budgetline", line.pk) + "history/"


def test_a_save_that_changes_nothing_writes_no_history(world, auditor_client):
    line = world.a[BudgetLine]
    before = BudgetLine.history.filter(id=line.pk).count()
    entries = auditor_client.get(_history_url(line)).json()["results"]
    feed = auditor_client.get(list_url("change"), {"page_size": 1000}).json()["count"]

    # The same values, one of them typed differently (an amount with one decimal).
    line.refresh_from_db()
    line.preventivo = Decimal("10.050")
    line._change_reason = "Salvataggio senza modifiche"
    line.save()
    assert BudgetLine.history.filter(id=line.pk).count() == before
    assert auditor_client.get(_history_url(line)).json()["results"] == entries
    assert auditor_client.get(list_url("change"), {"page_size": 1000}).json()["count"] == feed

    # A real change is still recorded, once, and the next save records again.
    line.note = "Spesa rivista"
    line._change_reason = "Correzione"
    line.save()
    line.note = "Spesa rivista"
    line.save()
    after = auditor_client.get(_history_url(line)).json()["results"]
    assert len(after) == len(entries) + 1
    assert after[-1]["reason"] == "Correzione"
    assert after[-1]["changes"] == [
        {"field": "note", "label": "nota (tipo di costo, fornitore)", "old": "",
         "new": "Spesa rivista"}
    ]
    assert not hasattr(line, "skip_history_when_saving")


def test_older_empty_entries_are_not_shown(world, auditor_client):
    """An entry written before the fix (a save with nothing changed) is left out of the API."""
    line = world.a[BudgetLine]
    entries = auditor_client.get(_history_url(line)).json()["results"]
    record = BudgetLine.history.filter(id=line.pk).latest()
    record.pk = None
    record.history_type = "~"
    record.save()  # a copy of the last record: an entry that changed nothing
    assert BudgetLine.history.filter(id=line.pk).count() == len(entries) + 1
    assert auditor_client.get(_history_url(line)).json()["results"] == entries


def test_recording_gives_a_user_and_reason_to_records_without_their_own(world):
    line = world.a[BudgetLine]
    staff = world.user("staff_a")
    with recording(user=staff, reason="Caricamento di prova"):
        line.note = "Prima"
        line.save()
        line.note = "Seconda"
        line._change_reason = "Motivo proprio"
        line.save()
    first, second = BudgetLine.history.filter(id=line.pk).order_by("-history_id")[:2][::-1]
    assert (first.history_user, first.history_change_reason) == (staff, "Caricamento di prova")
    assert (second.history_user, second.history_change_reason) == (staff, "Motivo proprio")


@pytest.mark.django_db
def test_load_seeds_records_who_loaded_which_document(tmp_path, auditor_client, world):
    shutil.copytree(FIXTURES_DIR / "po-2015-cremasco", tmp_path / "po-2015-cremasco")
    loader = world.user("staff_a")
    loader.first_name, loader.last_name = "Anna", "Rossi"
    loader.save()
    start = timezone.now()
    call_command("load_seeds", path=str(tmp_path), force=True, user=loader.username)
    document = SourceDocument.objects.get(key="po-2015-cremasco")
    reason = (f"Caricamento del documento di esempio «{document.title}» "
              "(load_seeds, eseguito da Anna Rossi)")
    created = BudgetLine.history.filter(
        history_type="+", history_date__gte=start,
        action__objective__plan__zone_plan__ambito=document.ambito,
    )
    assert created.count() > 100
    assert set(created.values_list("history_change_reason", "history_user")) == {
        (reason, loader.pk)
    }
    # Reloading unchanged documents writes nothing at all.
    count = BudgetLine.history.count()
    call_command("load_seeds", path=str(tmp_path))
    assert BudgetLine.history.count() == count


def test_load_seeds_refuses_an_unknown_user(tmp_path, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Utente «nessuno» inesistente"):
        call_command("load_seeds", path=str(tmp_path), user="nessuno")
