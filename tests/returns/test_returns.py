"""Returns (debiti informativi): totals to the cent, checks, bad input, sent returns kept."""

import csv
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
    # Each block names its ambito (not its slug) and closes with the ambito's total.
    assert "\r\nAmbito alfa;ASS;Gestione associata tramite ente gestore;20,10\r\n" in text
    assert "\r\nAmbito beta;ASS;Gestione associata tramite ente gestore;20,10\r\n" in text
    assert "\r\nAmbito alfa;;Totale ambito;20,10\r\n" in text
    assert "\r\nAmbito beta;;Totale ambito;20,10\r\n" in text
    xlsx = tmp_path / "gestione-tutti.xlsx"
    run("gestione", "--ambito", "all", "--year", str(year), "--output", str(xlsx))
    per = [list(r) for r in load_workbook(xlsx)["Per ambito"].iter_rows(values_only=True)]
    totals = {r[0]: Decimal(str(r[-1])) for r in per if r[2] == "Totale ambito"}
    assert totals == {"Ambito alfa": Decimal("20.10"), "Ambito beta": Decimal("20.10")}
    for name, total in totals.items():
        block = [r for r in per if r[0] == name and r[2] != "Totale ambito"]
        assert sum(Decimal(str(r[-1])) for r in block).quantize(Decimal("0.01")) == total


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


MONEY = '#,##0.00 "€"'


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["istat", "fnps", "fna", "leps"])
def test_amounts_are_numbers_in_euro_and_the_csv_is_excel_it(key, tmp_path):
    """What an office opens: in the xlsx every amount a real number shown in euro with two
    decimals, adding up to the printed total to the cent; the csv for an Italian Excel
    (BOM, semicolons, decimal comma) with the same total."""
    xlsx, csv_path = tmp_path / f"{key}.xlsx", tmp_path / f"{key}.csv"
    for out in (xlsx, csv_path):
        run(key, "--ambito", "cremasco", "--year", "2018", "--output", str(out))
    ws = load_workbook(xlsx)["Prospetto"]
    rows = [list(r) for r in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[0].value == "Codice")
    body = rows[head + 1:]
    assert body[-1][1].value == "Totale generale"
    for row in body:
        for cell in row[2:]:
            assert isinstance(cell.value, int | float), (key, cell.coordinate, cell.value)
            assert cell.number_format == MONEY, (key, cell.coordinate)
    assert all(isinstance(r[1].value, str) and r[1].value for r in body)  # every row labelled
    grand = Decimal(str(body[-1][-1].value)).quantize(Decimal("0.01"))
    summed = sum((Decimal(str(r[-1].value)) for r in body[:-1]), Decimal("0"))
    assert summed.quantize(Decimal("0.01")) == grand
    assert grand == (Decimal("409978.45") if key == "fna" else UPLINE)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    total_line = next(line for line in raw.decode("utf-8-sig").split("\r\n")
                      if line.startswith(";Totale generale;"))
    assert total_line.endswith(";9286435,65" if key != "fna" else ";409978,45")


@pytest.mark.django_db
def test_builtin_layout_notes_speak_to_the_recipient():
    """The note printed as «Tracciato» goes to ISTAT, the Region, the Ministry: no setting of
    the app in it."""
    for template in ReturnTemplate.objects.filter(ambito__isnull=True):
        assert "channels" not in template.layout_note and "{" not in template.layout_note
        assert "di default" not in template.layout_note


@pytest.mark.django_db
def test_names_typed_by_people_stay_text_in_the_files(world, tmp_path):
    """An ambito's template whose name and note start like formulas: in the xlsx they are
    text cells (no formula, quote prefix), in the csv they start with an apostrophe."""
    import zipfile

    ReturnTemplate.objects.create(
        ambito=world.a.ambito, key="trappola", name='=HYPERLINK("http://x.invalid","ok")',
        recipient="@Regione", layout_note="-2+3", row_dimension="gestione",
        measure="preventivo")
    year = str(world.a[OperatingPlan].year)
    xlsx, csv_path = tmp_path / "t.xlsx", tmp_path / "t.csv"
    for out in (xlsx, csv_path):
        run("trappola", "--ambito", world.a.ambito.slug, "--year", year, "--output", str(out))
    with zipfile.ZipFile(xlsx) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    ws = load_workbook(xlsx)["Prospetto"]
    assert ws["A1"].value.startswith("=HYPERLINK") and ws["A1"].data_type == "s"
    assert ws["A1"].quotePrefix and ws["B2"].quotePrefix and ws["B6"].quotePrefix
    text = csv_path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "\'=HYPERLINK(\"http://x.invalid\",\"ok\")"
    assert ["Destinatario", "\'@Regione"] in rows and ["Tracciato", "\'-2+3"] in rows
    assert ["", "Totale generale", "20,10"] in rows  # amounts are numbers, never escaped


@pytest.mark.django_db
def test_an_output_that_cannot_be_written_is_refused_in_italian(tmp_path, monkeypatch):
    missing = tmp_path / "manca" / "istat.xlsx"
    with pytest.raises(CommandError, match="la cartella non esiste. Nessun file scritto."):
        run("istat", "--ambito", "cremasco", "--year", "2018", "--output", str(missing))
    assert not missing.parent.exists()

    # The disk fills up halfway: the file already there stays as it was, no partial file.
    out = tmp_path / "istat.xlsx"
    out.write_bytes(b"previous")
    real_write = type(out).write_bytes

    def half_then_full(self, data):
        real_write(self, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(out), "write_bytes", half_then_full)
    with pytest.raises(CommandError, match="spazio su disco esaurito. Nessun file scritto."):
        run("istat", "--ambito", "cremasco", "--year", "2018", "--output", str(out))
    monkeypatch.undo()
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["istat.xlsx"]


@pytest.mark.django_db
def test_a_refused_return_leaves_a_file_already_there_untouched(tmp_path):
    out = tmp_path / "istat.xlsx"
    out.write_bytes(b"previous")
    with pytest.raises(CommandError, match="non ha un Piano Operativo per l'anno 2018"):
        run("istat", "--ambito", "cremona", "--year", "2018", "--output", str(out))
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["istat.xlsx"]
