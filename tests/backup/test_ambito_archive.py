"""Archive of one ambito: export cremasco, import it into another database, compare."""

import hashlib
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db.models import Sum

from backup.ambito import (
    EXCLUDED,
    coverage_problems,
    domain_models,
    exported_models,
    label_of,
)
from budget.models import BudgetLine
from core.roles import Role
from governance.models import Ambito, Deliberation, Membership
from objectives.models import OperatingPlan, Referent
from reports.models import ReportJob

from ..builders import make_user
from .support import Instance, fresh_database, ok, require_postgresql_under_ci
from .totals import history_reasons, report_totals

pytestmark = pytest.mark.django_db
D = Decimal


def _read(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rows(contents):
    return {
        name.removeprefix("data/").removesuffix(".json"): json.loads(data)
        for name, data in contents.items() if name.startswith("data/")
    }


def _without_ids(tables):
    """Rows with ids and references replaced by positions, timestamps dropped."""
    positions = {
        label: {row["id"]: index for index, row in enumerate(table["rows"])}
        for label, table in tables.items()
    }
    result = {}
    for label, table in tables.items():
        kinds = {f["name"]: f for f in table["fields"]}
        rows = []
        for row in table["rows"]:
            clean = {}
            for name, value in row.items():
                field = kinds[name]
                if field["type"] == "DateTimeField":
                    continue
                if name == "id":
                    value = positions[label][value]
                elif field["references"] in positions and value is not None:
                    value = positions[field["references"]][value]
                clean[name] = value
            rows.append(clean)
        result[label] = rows
    return result


@pytest.fixture(scope="module")
def exported(tmp_path_factory, django_db_setup, django_db_blocker):
    # django_db_setup first: a module fixture must never read the real database.
    path = tmp_path_factory.mktemp("export") / "cremasco.zip"
    with django_db_blocker.unblock():
        call_command("export_ambito", "cremasco", "--output", str(path))
    return path


@pytest.fixture(scope="module")
def round_trip(exported, tmp_path_factory, django_db_blocker):
    """cremasco imported into a second, freshly migrated database and exported again."""
    folder = tmp_path_factory.mktemp("target")
    with django_db_blocker.unblock(), fresh_database("ambito", migrated=True) as (url, migrated):
        target = Instance(url, folder)
        if not migrated:
            ok(target.manage("migrate", "--noinput", "-v", "0"))
        imported = ok(target.manage("import_ambito", str(exported)))
        again = folder / "again.zip"
        ok(target.manage("export_ambito", "cremasco", "--output", str(again)))
        probe = target.python(
            "import json; from tests.backup.totals import report_totals, history_reasons;"
            "print(json.dumps({'totals': report_totals(), 'reasons': history_reasons()}))"
        )
        refused = target.manage("import_ambito", str(exported))
        counts_after_refusal = target.table_counts()
        yield {"imported": imported, "again": again, "probe": probe, "refused": refused,
               "counts_after_refusal": counts_after_refusal, "target": target}


def test_runs_on_postgresql_under_ci():
    require_postgresql_under_ci()


def test_every_domain_model_is_exported_or_excluded_with_a_reason():
    assert coverage_problems() == []
    labels = {label_of(m) for m in domain_models()}
    exported = {label_of(m) for m in exported_models()}
    assert exported | set(EXCLUDED) == labels
    assert not exported & set(EXCLUDED)
    assert all(len(reason) > 20 for reason in EXCLUDED.values())


def test_archive_describes_itself(exported):
    contents = _read(exported)
    manifest = json.loads(contents.pop("manifest.json"))
    assert manifest["format"] == "pianozona-ambito" and manifest["format_version"] == 1
    assert manifest["ambito"] == "cremasco"
    assert {"app_version", "source_instance", "exported_at", "migrations"} <= set(manifest)
    assert set(manifest["files"]) == set(contents)
    for name, data in contents.items():
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest(), name
    readme = contents["README.txt"].decode()
    assert "Ambito distrettuale cremasco" in readme and "import_ambito" in readme
    ambito = Ambito.objects.get(slug="cremasco")
    for model in exported_models():
        expected = model._default_manager.filter(**{model.scope_ambito: ambito.pk}).count()
        assert manifest["counts"][label_of(model)] == expected, label_of(model)
    tables = _rows(contents)
    assert len(tables["budget.budgetline"]["rows"]) == 116 + 166  # PO 2015 + consuntivo 2018
    line = tables["budget.budgetline"]["rows"][0]
    assert isinstance(line["preventivo"], str) and "." in line["preventivo"]
    fields = {f["name"]: f for f in tables["budget.budgetline"]["fields"]}
    assert fields["action"]["references"] == "objectives.action"
    assert all(row["user"] is None for row in tables["objectives.referent"]["rows"])


def test_referent_accounts_are_dropped_and_said_so(tmp_path):
    referent = Referent.objects.filter(objective__plan__zone_plan__ambito__slug="cremasco").first()
    referent.user = make_user("referente.export")
    referent.save()
    path = tmp_path / "cremasco.zip"
    call_command("export_ambito", "cremasco", "--output", str(path), stdout=(out := io.StringIO()))
    contents = _read(path)
    manifest = json.loads(contents["manifest.json"])
    assert manifest["dropped_user_links"] == {"objectives.referent.user": 1}
    rows = _rows(contents)["objectives.referent"]["rows"]
    row = next(r for r in rows if r["id"] == referent.pk)
    assert row["user"] is None and row["name"] == referent.name
    assert "Tolti 1 collegamenti ad account utente" in out.getvalue()


def test_round_trip_gives_the_same_rows_in_every_table(exported, round_trip):
    source = json.loads(_read(exported)["manifest.json"])
    again = json.loads(_read(round_trip["again"])["manifest.json"])
    assert again["counts"] == source["counts"]
    assert sum(source["counts"].values()) > 1500
    assert "Ambito cremasco importato" in round_trip["imported"]


def test_round_trip_keeps_every_printed_total_to_the_cent(round_trip):
    imported = round_trip["probe"]["totals"]
    assert imported == report_totals()
    assert imported["2015 piano"]["preventivo"] == "6836696.91"  # incl. Azione 29
    assert imported["2015 entrate preventivo"]["net"] == "6777578.07"  # TOTALE PO 2015
    assert imported["2018 piano"] == {"preventivo": "10284455.13", "consuntivo": "9286435.65"}
    assert imported["2018 avanzo"]["restricted"] == "660009.57"
    assert imported["2018 entrate consuntivo"]["budget"] == "10156296.15"


def test_reexport_from_the_target_gives_the_same_json(exported, round_trip):
    source = _rows(_read(exported))
    again = _rows(_read(round_trip["again"]))
    assert _without_ids(again) == _without_ids(source)


def test_imported_rows_say_where_they_come_from(round_trip):
    assert round_trip["probe"]["reasons"] == ["importato da archivio cremasco.zip"]


def test_import_refused_when_the_ambito_exists(round_trip):
    refused = round_trip["refused"]
    assert refused.returncode != 0
    assert "L'ambito «cremasco» esiste già" in refused.stderr
    assert "nulla è stato importato" in refused.stderr
    counts = round_trip["counts_after_refusal"]
    assert counts["budget_budgetline"] == 116 + 166
    assert counts["governance_ambito"] == 1


def _line_figures():
    lines = BudgetLine.objects.filter(action__objective__plan__zone_plan__ambito__slug="cremasco")
    return lines.count(), lines.aggregate(total=Sum("preventivo"))["total"]


def _tamper(source, target, name, change):
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            copy.writestr(item, change(data) if item.filename == name else data)


def test_tampered_archive_is_refused_and_nothing_is_written(exported, tmp_path):
    before = _line_figures()
    tampered = tmp_path / "alterato.zip"
    _tamper(exported, tampered, "data/budget.budgetline.json",
            lambda data: data.replace(b'"preventivo": "', b'"preventivo": "1', 1))
    with pytest.raises(CommandError, match="impronta sha256 di data/budget.budgetline.json"):
        call_command("import_ambito", str(tampered), "--replace")
    assert _line_figures() == before
    assert Ambito.objects.filter(slug="cremasco").count() == 1


def test_archive_with_an_unlisted_file_is_refused(exported, tmp_path):
    tampered = tmp_path / "aggiunto.zip"
    _tamper(exported, tampered, "", lambda data: data)
    with zipfile.ZipFile(tampered, "a") as archive:
        archive.writestr("data/governance.membership.json", b"{}")
    with pytest.raises(CommandError, match="non elencati nel manifest"):
        call_command("import_ambito", str(tampered), "--replace")


def test_conflict_with_existing_rows_rolls_everything_back(exported):
    # Same instance under another code: the source documents' keys are taken.
    Ambito.objects.filter(slug="cremasco").update(slug="cremasco-vecchio")
    ambiti = Ambito.objects.count()
    with pytest.raises(CommandError, match="in conflitto.*Nulla è stato importato"):
        call_command("import_ambito", str(exported))
    assert Ambito.objects.count() == ambiti
    assert not Ambito.objects.filter(slug="cremasco").exists()


def test_replace_swaps_the_data_keeps_roles_and_carries_files(tmp_path):
    old = Ambito.objects.get(slug="cremasco")
    staff = make_user("ufficio.replace", ambito=old, role=Role.STAFF)
    act = Deliberation.objects.filter(ambito=old).order_by("pk").first()
    act.act.save("delibera-prova.pdf", ContentFile(b"%PDF-1.4 atto allegato"))
    plan = OperatingPlan.objects.get(zone_plan__ambito=old, year=2015)
    job = ReportJob(ambito=old, operating_plan=plan, kind=ReportJob.Kind.OPERATING_PLAN,
                    state=ReportJob.State.READY, progress=100)
    job.file.save("piano-operativo-cremasco-2015.pdf", ContentFile(b"%PDF-1.7 report"))
    archive = tmp_path / "cremasco.zip"
    call_command("export_ambito", "cremasco", "--output", str(archive), stdout=io.StringIO())
    contents = _read(archive)
    assert contents[f"files/{act.act.name}"] == b"%PDF-1.4 atto allegato"
    report = f"reports/{Path(job.file.name).name}"
    assert contents[report] == b"%PDF-1.7 report"
    assert json.loads(contents["manifest.json"])["reports"][0]["file"] == report
    before = _line_figures()

    call_command("import_ambito", str(archive), "--replace", stdout=io.StringIO())

    new = Ambito.objects.get(slug="cremasco")
    assert new.pk != old.pk
    assert _line_figures() == before
    assert Membership.objects.filter(user=staff, ambito=new, role=Role.STAFF).exists()
    assert report_totals()["2015 piano"]["preventivo"] == str(D("6836696.91"))
    assert history_reasons() == ["importato da archivio cremasco.zip"]
    imported_act = Deliberation.objects.get(ambito=new, number=act.number, date=act.date,
                                            subject=act.subject)
    assert imported_act.act.read() == b"%PDF-1.4 atto allegato"
