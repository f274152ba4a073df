"""Returns (debiti informativi): totals to the cent, checks, bad input, sent returns kept."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from classification import selectors
from objectives.models import OperatingPlan
from returns import builder, services
from returns.models import ReturnTemplate, SentReturn

UPLINE = Decimal("9286435.65")  # Relazione Consuntivo 2018, uscite


def run(*args):
    out = io.StringIO()
    call_command("returns", *args, stdout=out)
    return out.getvalue()


def sheet_rows(path):
    ws = load_workbook(path)["Prospetto"]
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.django_db
def test_istat_return_of_cremasco_2018_totals_the_consuntivo(tmp_path):
    out = tmp_path / "istat.xlsx"
    printed = run("istat", "--ambito", "cremasco", "--year", "2018", "--output", str(out))
    assert "OK – Quadratura: Totale generale 9.286.435,65 €" in printed
    rows = sheet_rows(out)
    total = next(r for r in rows if r[1] == "Totale generale")
    assert Decimal(str(total[-1])).quantize(Decimal("0.01")) == UPLINE
    head = next(r for r in rows if r[0] == "Codice")
    assert head[2:] == ["Interventi e servizi", "Trasferimenti in denaro", "Strutture", "Totale"]
    labels = [r[1] for r in rows]
    assert "Famiglia e minori" in labels and "Spesa non classificata" in labels
    unclassified = next(r for r in rows if r[1] == "Spesa non classificata")
    assert Decimal(str(unclassified[-1])) <= UPLINE * Decimal("0.05")
    assert load_workbook(out)["Controlli"]["B2"].value == "OK"


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["istat", "fnps", "fna", "leps"])
def test_every_builtin_return_adds_up_to_the_lines_it_covers(key):
    template = builder.template_for(key)
    table = builder.build(template, ambiti=builder.resolve_ambiti("cremasco"), year=2018)
    assert table.grand_total == table.lines_total
    assert sum(r.total for r in table.rows) == table.grand_total
    for i, col_total in enumerate(table.column_totals):
        assert sum(r.values[i] for r in table.rows) == col_total
    assert table.plan_total == UPLINE
    if key == "fna":
        assert table.grand_total == Decimal("409978.45")


@pytest.mark.django_db
@pytest.mark.parametrize("dimension", ["area_utenza", "macro_istat", "fnps_area", "leps"])
def test_cuts_match_the_return_rows(dimension):
    plan = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)
    cut = selectors.cut(selectors.plan_lines(plans=[plan]), dimension_code=dimension,
                        measure="consuntivo")
    assert sum(cut.values()) == UPLINE


@pytest.mark.django_db
def test_fnps_minor_share_against_the_fund_and_a_warning_when_short():
    template = builder.template_for("fnps")
    table = builder.build(template, ambiti=builder.resolve_ambiti("cremasco"), year=2018)
    check = next(c for c in table.checks if c.name == "Quota minima")
    assert check.ok
    assert "244.426,08 €" in check.message and "611.065,21 €" in check.message
    template.checks = [{"kind": "min_share", "code": "MINORI", "threshold": "40"}]
    table = builder.build(template, ambiti=builder.resolve_ambiti("cremasco"), year=2018)
    check = next(c for c in table.checks if c.name == "Quota minima")
    assert not check.ok and "quota sotto il minimo" in check.message
    assert "24,19 %" in check.message


@pytest.mark.django_db
def test_leps_lists_covered_and_uncovered():
    table = builder.build(builder.template_for("leps"),
                          ambiti=builder.resolve_ambiti("cremasco"), year=2018)
    by_name = {c.name: c for c in table.checks}
    assert "Pronto intervento sociale" in by_name["LEPS coperti"].message
    assert "Dimissioni protette" in by_name["LEPS non coperti"].message
    assert table.rows[-1].label == "Spesa non riconducibile a un LEPS"


@pytest.mark.django_db
def test_all_ambiti_has_a_block_per_ambito(world, tmp_path):
    year = world.a[OperatingPlan].year
    out = tmp_path / "gestione-tutti.csv"
    ReturnTemplate.objects.create(key="gestione", name="Gestione", row_dimension="gestione",
                                  measure="preventivo")
    run("gestione", "--ambito", "all", "--year", str(year), "--output", str(out))
    text = out.read_bytes().decode("utf-8-sig")
    assert ";Totale generale;40,20" in text  # alfa 20,10 + beta 20,10
    assert "alfa;ASS;Gestione associata tramite ente gestore;20,10" in text
    assert "beta;ASS;Gestione associata tramite ente gestore;20,10" in text


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (["istat", "--ambito", "atlantide", "--year", "2018"], "Ambito «atlantide» sconosciuto."),
    (["istat", "--ambito", "cremasco", "--year", "2031"],
     "non ha un Piano Operativo per l'anno 2031"),
    (["boh", "--ambito", "cremasco", "--year", "2018"], "Modello di debito informativo «boh»"),
])
def test_bad_input_is_refused_in_italian_without_a_file(tmp_path, args, message):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=message):
        run(*args, "--output", str(out))
    assert not out.exists()


@pytest.mark.django_db
def test_template_naming_an_unknown_dimension_is_refused(tmp_path):
    ReturnTemplate.objects.create(key="regione", name="Regione", row_dimension="area_fantasma")
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match="dimensione sconosciuta: area_fantasma"):
        run("regione", "--ambito", "cremasco", "--year", "2018", "--output", str(out))
    assert not out.exists()
    with pytest.raises(ValidationError):
        ReturnTemplate(key="r2", name="R2", row_dimension="area_fantasma").full_clean()


@pytest.mark.django_db
def test_unknown_format_refused(tmp_path):
    with pytest.raises(CommandError, match="usa .xlsx o .csv"):
        run("istat", "--ambito", "cremasco", "--year", "2018", "--output",
            str(tmp_path / "x.pdf"))


@pytest.mark.django_db
def test_an_ambito_adds_its_own_template_without_code(world):
    ReturnTemplate.objects.create(
        ambito=world.a.ambito, key="regionale", name="Tracciato regionale",
        row_dimension="gestione", measure="preventivo",
    )
    table = builder.build(builder.template_for("regionale", world.a.ambito),
                          ambiti=[world.a.ambito], year=world.a[OperatingPlan].year)
    assert table.grand_total == Decimal("20.10")  # the two lines of alfa, 10,05 € each
    assert table.rows[1].code == "ASS" and table.rows[1].total == Decimal("20.10")


@pytest.mark.django_db
def test_sent_return_is_stored_and_never_overwritten(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    cremasco = builder.resolve_ambiti("cremasco")[0]
    template = builder.template_for("istat")
    root = world.user("superuser")
    first = services.record_sent(user=root, template=template, ambito=cremasco, year=2018,
                                 fmt="xlsx")
    second = services.record_sent(user=root, template=template, ambito=cremasco, year=2018,
                                  fmt="xlsx")
    assert first.file.name != second.file.name
    assert first.grand_total == UPLINE and first.sent_by == root
    assert SentReturn.objects.filter(ambito=cremasco).count() == 2
    with pytest.raises(ValidationError, match="non si modifica"):
        first.note = "cambiata"
        first.save()


@pytest.mark.django_db
def test_only_staff_of_the_ambito_record_a_sent_return(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    template = builder.template_for("istat")
    year = world.a[OperatingPlan].year
    before = SentReturn.objects.filter(ambito=world.a.ambito).count()
    services.record_sent(user=world.user("staff_a"), template=template, ambito=world.a.ambito,
                         year=year, fmt="csv")
    for role in ("staff_b", "referent_a", "assembly_a", "auditor_a", "nobody"):
        with pytest.raises(PermissionDenied):
            services.record_sent(user=world.user(role), template=template,
                                 ambito=world.a.ambito, year=year, fmt="csv")
    assert SentReturn.objects.filter(ambito=world.a.ambito).count() == before + 1


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_lines(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    template = builder.template_for("istat")
    counts = []
    for ambiti, year in ((builder.resolve_ambiti("cremasco"), 2018),  # 166 lines
                         ([world.a.ambito], world.a[OperatingPlan].year)):  # 2 lines
        with CaptureQueriesContext(connection) as queries:
            builder.build(template, ambiti=ambiti, year=year)
        counts.append(len(queries))
    assert counts[0] == counts[1]
