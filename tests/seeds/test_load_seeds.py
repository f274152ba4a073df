"""load_seeds is idempotent and the reconciliation lists the documents' printing errors."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from budget.models import BudgetLine
from governance.models import SourceDocument
from pianozona.reconciliation import reconcile
from pianozona.seed_loader import load_all

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        BudgetLine.objects.count(),
        BudgetLine.history.count(),
        sorted(SourceDocument.objects.values_list("key", "fixture_digest")),
    )


def test_running_twice_changes_nothing():
    before = _snapshot()
    results = load_all()
    assert results and not any(loaded for _, loaded in results)
    assert _snapshot() == before


def test_forced_reload_recreates_the_same_figures():
    total = sum(BudgetLine.objects.values_list("preventivo", flat=True), Decimal(0))
    load_all(force=True)
    assert sum(BudgetLine.objects.values_list("preventivo", flat=True), Decimal(0)) == total


def test_reconciliation_lists_the_printing_errors(capsys):
    differences = {(d.document.key, d.scope): d for d in reconcile()}
    ob7 = differences.pop(("po-2015-cremasco", "objective:7:preventivo"))
    assert ob7.printed == Decimal("4930393.87")
    assert ob7.computed == Decimal("4989512.71")
    assert ob7.difference == Decimal("-59118.84")
    call_command("reconcile")
    out = capsys.readouterr().out
    assert "TOTALE OBIETTIVO 7" in out and "-59.118,84 €" in out
