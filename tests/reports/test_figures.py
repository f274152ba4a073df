"""Figures drawn from data only: no caption without its figure, names not codes in legends."""

import re

import pytest

from budget.models import FundingChannel
from governance.models import Ambito
from objectives.models import OperatingPlan
from reports import builders

pytestmark = pytest.mark.django_db

SEEDS = ["po-2015", "consuntivo-2018", "pdz-2019-2020"]
CAPTION = re.compile(r"\bFig\.\s*\d+")


@pytest.mark.parametrize("name", SEEDS)
def test_no_caption_of_the_original_without_its_figure(seed_reports, name):
    report = seed_reports(name)
    assert not CAPTION.findall(report.text)
    # The staff sentence of the old funds chart is not part of the document.
    assert "Gli anni mancanti" not in report.text


@pytest.mark.parametrize("name", SEEDS)
def test_no_internal_channel_code_in_the_document(seed_reports, name):
    report = seed_reports(name)
    codes = {c.code for c in FundingChannel.objects.all() if c.code != c.name and "_" in c.code}
    assert "DOPO_DI_NOI" in codes
    squashed = re.sub(r"\s+", "", report.text)
    assert [code for code in codes if code in squashed] == []


def test_board_composition_drawn_from_its_members(consuntivo_2018):
    text = re.sub(r"\s+", " ", consuntivo_2018.text)
    assert "Composizione del C.d.A. sino al 25/07/2018" in text
    assert "Composizione del C.d.A. in carica" in text
    for name in ("Gianluca Savoldi", "Maria Antonia Baronchelli", "Silverio Pezzotti"):
        assert name in text
    # The chart of the funds keeps its own caption and names the funds as people know them.
    assert "Entrate per fondo e per anno" in text
    assert "Dopo di Noi (L.112/2016)" in consuntivo_2018.html


def test_figures_without_data_listed_for_staff():
    plan = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)
    data = builders.build_final_report(plan)
    missing = data.context["figures_without_data"]
    captions = [m["caption"] for m in missing]
    assert "Fig. 7: Organigramma" in captions
    assert "Fig. 4: Fondi istituzionali vincolati e liberi" in captions
    # drawn from the board's members: not missing
    assert not any("C.d.A." in c for c in captions)
    funds = next(m for m in missing if m["caption"] == "Entrate per fondo e per anno")
    assert "2016, 2017" in funds["where"] and "Entrate per canale" in funds["where"]


def test_board_caption_without_members_is_listed_with_where_to_enter(world):
    from governance.models import Body
    from objectives.models import Section

    plan = world.a[OperatingPlan]
    ambito = plan.zone_plan.ambito
    Body.objects.create(ambito=ambito, name="CdA", kind=Body.Kind.BOARD)
    outline = builders.Outline()
    slots = builders.FigureSlots([builders._board_figures(ambito, builders._Rows())])
    body = "Testo.\n\n*Fig. 5: Composizione del C.d.A. in carica*\n"
    section = Section(title="Governance", body=body)
    block = builders.section_block(section, outline, slots=slots)
    html = "".join(i.get("html", "") for i in block["items"])
    assert "Fig." not in html and "Testo." in html
    assert slots.missing[0]["caption"] == "Fig. 5: Composizione del C.d.A. in carica"
    assert "Governance" in slots.missing[0]["where"]
    assert Ambito.objects.filter(pk=ambito.pk).exists()


def test_report_page_lists_figures_without_data(client, world):
    from django.urls import reverse

    plan = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)
    client.force_login(world.user("superuser"))
    response = client.get(reverse("reports:operating_plan", args=[plan.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Figure non stampate per mancanza di dati" in page
    assert "Fig. 7: Organigramma" in page
    assert "Entrate per canale: mancano gli anni 2016, 2017" in page
