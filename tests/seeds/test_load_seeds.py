"""load_seeds is idempotent and the reconciliation lists the documents' printing errors."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from budget.models import BudgetLine
from budget.reconciliation import reconcile
from governance.models import SourceDocument
from seeds.loader import load_all

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


def test_reconciliation_lists_the_printing_errors_and_nothing_else(capsys):
    differences = {
        (d.document.key, d.scope): (d.printed, d.computed) for d in reconcile()
    }
    assert differences == {
        # PO 2015: TOTALE OBIETTIVO 7 leaves out Azione 29.
        ("po-2015-cremasco", "objective:7:preventivo"):
            (Decimal("4930393.87"), Decimal("4989512.71")),
        # Consuntivo 2018: the lines of Tab. 3 add up to 0,41 more than AVANZO VINCOLATO.
        ("consuntivo-2018-cremasco", "surplus:2018:restricted"):
            (Decimal("660009.16"), Decimal("660009.57")),
        ("consuntivo-2018-cremasco", "surplus:2018:total"):
            (Decimal("869860.50"), Decimal("869860.91")),
        # The same 0,41 in the Assemblea's destination of the avanzo 2018 (Tab. 3 as printed).
        ("consuntivo-2018-cremasco", "destination:2018:restricted"):
            (Decimal("660009.16"), Decimal("660009.57")),
        ("consuntivo-2018-cremasco", "destination:2018:total"):
            (Decimal("869860.50"), Decimal("869860.91")),
        # Stored tables (issue 19): Tab. 11 totals, PdZ p. 17 and the natural balance 2005.
        ("consuntivo-2018-cremasco", "table:tab-11-utenza:8:2"): (Decimal("145"), Decimal("178")),
        ("consuntivo-2018-cremasco", "table:tab-11-utenza:8:3"): (Decimal("57"), Decimal("60")),
        # Tab. 8 TOTALE (the sum of its rows) against the Centro Diurno budget line.
        ("consuntivo-2018-cremasco", "line:5:3:1:consuntivo"):
            (Decimal("83163.79"), Decimal("83163.81")),
        ("pdz-2019-2020-cremona", "table:tab-1-4-andamento-demografico:1:6"):
            (Decimal("-4450"), Decimal("-4550")),
        ("pdz-2019-2020-cremona", "table:tab-1-4-andamento-demografico:14:1"):
            (Decimal("65510"), Decimal("66510")),
        ("pdz-2019-2020-cremona", "table:tab-1-4-saldo-naturale:5:2"):
            (Decimal("3724"), Decimal("3069")),
    }
    call_command("reconcile")
    out = capsys.readouterr().out
    assert "TOTALE OBIETTIVO 7" in out and "-59.118,84 €" in out


def test_a_bad_fixture_is_refused_whole_with_a_clear_message(tmp_path):
    import json
    import shutil

    from django.core.management.base import CommandError

    from seeds.loader import FIXTURES_DIR

    folder = tmp_path / "po-2015-cremasco"
    shutil.copytree(FIXTURES_DIR / "po-2015-cremasco", folder)
    path = folder / "20-objectives.json"
    data = json.loads(path.read_text())
    data["objectives"][9]["actions"][0]["lines"][0]["channel"] = "NON_ESISTE"
    path.write_text(json.dumps(data))
    before = _snapshot()
    with pytest.raises(CommandError) as exc:
        call_command("load_seeds", path=str(tmp_path))
    assert "nessun dato modificato" in str(exc.value)
    assert "NON_ESISTE" in str(exc.value)
    assert _snapshot() == before


def test_documents_of_one_ambito_must_agree_on_a_fund_restriction(tmp_path):
    import json
    import shutil

    from seeds.loader import FIXTURES_DIR, SeedError, load_document

    folder = tmp_path / "po-2015-cremasco"
    shutil.copytree(FIXTURES_DIR / "po-2015-cremasco", folder)
    path = folder / "10-plan.json"
    data = json.loads(path.read_text())
    for channel in data["funding_channels"]:
        if channel["code"] == "COMUNI":
            channel["restricted"] = False
    path.write_text(json.dumps(data))
    before = _snapshot()
    with pytest.raises(SeedError, match="COMUNI"):
        load_document(folder, force=True)
    assert _snapshot() == before
