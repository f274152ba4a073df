"""Reports of a small generated ambito: draft watermark, escaping, queries, the command."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budget.models import BudgetLine
from budget.reconciliation import compute
from governance.models import Ambito, PrintedTotal, SourceDocument
from indicators.models import Indicator, Measurement, Milestone
from objectives.models import Action, Objective, OperatingPlan, Referent, Section, ZonePlan
from reports import builders, rendering
from reports.targets import find_ambito, find_target

from .conftest import pdf_pages

pytestmark = pytest.mark.django_db


def _squash(text):
    return re.sub(r"\s+", " ", text)


def test_draft_plan_says_bozza_on_every_page(world):
    plan = world.a[OperatingPlan]
    assert plan.state == OperatingPlan.State.DRAFT
    result = rendering.render("piano-operativo", plan)
    pages = pdf_pages(result.pdf)
    assert len(pages) >= 3
    assert all("BOZZA" in page for page in pages)


def test_user_text_is_escaped_or_removed(world):
    section = world.a[Section]
    section.body = (
        "Testo **in grassetto**.\n\n<script>alert('rubato')</script>\n\n<b onclick=x>ok</b>"
    )
    section.save()
    objective = world.a[Objective]
    objective.title = "<script>evil()</script> Obiettivo"
    objective.save()
    result = rendering.render("piano-operativo", world.a[OperatingPlan])
    assert "<script" not in result.html
    assert "onclick" not in result.html
    assert "&lt;script&gt;evil()&lt;/script&gt; Obiettivo" in result.html
    text = _squash(" ".join(pdf_pages(result.pdf)))
    assert "alert(" not in text  # the script of the markdown body is dropped
    assert "<script>evil()</script> Obiettivo" in text  # the title is printed as text
    assert "in grassetto" in text


def _add_objectives(plan, count, start):
    for number in range(start, start + count):
        objective = Objective.objects.create(plan=plan, number=number, title=f"Obiettivo {number}")
        Referent.objects.create(objective=objective, name=f"Referente {number}")
        for action_number in (1, 2):
            action = Action.objects.create(objective=objective, number=action_number,
                                           title=f"Azione {action_number}")
            for n in range(3):
                BudgetLine.objects.create(action=action, item=f"Voce {n}",
                                          preventivo=Decimal("100.00"),
                                          consuntivo=Decimal("90.00"), position=n)
            indicator = Indicator.objects.create(objective=objective, action=action,
                                                 name=f"Utenti {number}.{action_number}")
            for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
                Measurement.objects.create(indicator=indicator,
                                           period_end=date(plan.year, month, day),
                                           value=Decimal(month * number))
            Milestone.objects.create(objective=objective, action=action, title="Traguardo",
                                     due_date=date(plan.year, 12, 31), achieved="si")


@pytest.mark.parametrize("kind", ["piano-operativo", "consuntivo"])
def test_query_count_does_not_grow_with_objectives(world, kind):
    plan = world.a[OperatingPlan]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            rendering.render_html(rendering.build(kind, plan))
        return len(captured.captured_queries)

    _add_objectives(plan, 3, start=2)
    with_n = queries()
    _add_objectives(plan, 3, start=5)
    assert plan.objectives.count() == 7
    assert queries() == with_n


def test_zone_plan_query_count_is_fixed(world):
    plan = world.a[ZonePlan]
    with CaptureQueriesContext(connection) as first:
        rendering.render_html(rendering.build("piano-di-zona", plan))
    _add_objectives(world.a[OperatingPlan], 3, start=2)
    with CaptureQueriesContext(connection) as second:
        rendering.render_html(rendering.build("piano-di-zona", plan))
    assert len(first.captured_queries) == len(second.captured_queries)


def test_builder_totals_match_the_reconciliation(db):
    """Each total the reports print is the figure reconciliation computes for its scope."""
    checked = 0
    for document in SourceDocument.objects.filter(ambito__slug__in=["cremasco", "cremona"]):
        if document.kind == SourceDocument.Kind.ZONE_PLAN:
            data = builders.build_zone_plan(ZonePlan.objects.get(ambito=document.ambito,
                                                                 start_year=document.year))
        else:
            plan = OperatingPlan.objects.get(zone_plan__ambito=document.ambito, year=document.year)
            build = (builders.build_final_report if document.kind == "consuntivo"
                     else builders.build_operating_plan)
            data = build(plan)
        for total in PrintedTotal.objects.filter(document=document):
            if total.scope in data.figures.computed:
                assert data.figures.computed[total.scope] == compute(document, total.scope), (
                    total.scope)
                checked += 1
    assert checked >= 100


def test_data_version_changes_with_the_data(world):
    plan = world.a[OperatingPlan]
    first = builders.build_operating_plan(plan).data_version
    assert builders.build_operating_plan(plan).data_version == first
    line = world.a[BudgetLine]
    line.preventivo = Decimal("11.00")
    line.save()
    assert builders.build_operating_plan(plan).data_version != first


def test_command_renders_a_plan(world, tmp_path):
    output = tmp_path / "po.pdf"
    call_command("render_report", "piano-operativo", "--ambito", "ALFA", "--year", "2030",
                 "--output", str(output))
    assert output.read_bytes().startswith(b"%PDF")


def test_command_refuses_what_does_not_match(world, tmp_path):
    output = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="Nessun ambito corrisponde a «atlantide»"):
        call_command("render_report", "consuntivo", "--ambito", "atlantide", "--year", "2030",
                     "--output", str(output))
    with pytest.raises(CommandError, match="Nessun Piano Operativo 1999"):
        call_command("render_report", "consuntivo", "--ambito", "alfa", "--year", "1999",
                     "--output", str(output))
    with pytest.raises(CommandError, match="più ambiti"):
        call_command("render_report", "piano-di-zona", "--ambito", "ambito", "--year", "2030",
                     "--output", str(output))
    assert not output.exists()


def test_zone_plan_year_is_any_year_of_the_period(db):
    cremona = find_ambito("cremona")
    assert cremona == Ambito.objects.get(slug="cremona")
    period = find_target("piano-di-zona", cremona, 2019)
    assert find_target("piano-di-zona", cremona, 2020) == period


def test_url_fetcher_serves_static_files_and_refuses_the_rest():
    fetcher = rendering.url_fetcher()
    css = fetcher.fetch(rendering.ASSETS_URL + "reports/report.css")
    assert b"@font-face" in css.read()
    for url in ("https://example.com/x.css", "file:///etc/passwd",
                rendering.ASSETS_URL + "../settings.py", rendering.ASSETS_URL + "/etc/passwd",
                "http://pianozona.invalid/static/x.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_pdf_a_variant(world):
    import io

    from pypdf import PdfReader

    result = rendering.render("piano-operativo", world.a[OperatingPlan], variant=rendering.PDF_A)
    reader = PdfReader(io.BytesIO(result.pdf))
    assert "/OutputIntents" in reader.trailer["/Root"]
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfaid" in xmp and "<pdfaid:part>3</pdfaid:part>" in xmp.replace(" ", "") or \
        'pdfaid:part="3"' in xmp
