"""Layout rules of the report stylesheet, and a non-seed plan's report without empty headings."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from objectives.models import OperatingPlan
from reports import rendering

pytestmark = pytest.mark.django_db

CSS = (Path(settings.BASE_DIR) / "core" / "static" / "reports" / "report.css").read_text()


def test_stylesheet_rules():
    # Headings stay with what follows; rows are never split; totals stay with their rows.
    assert re.search(r"h1, h2, h3, h4 \{[^}]*break-after: avoid", CSS)
    assert "tr { break-inside: avoid; }" in CSS
    assert "thead { display: table-header-group; }" in CSS
    assert re.search(r"tr\.total[^{]*\{ break-before: avoid", CSS)
    # Header words are hyphenated at syllables, never cut letter by letter.
    assert "overflow-wrap: anywhere" not in CSS
    assert "hyphenate-limit-chars" in CSS


def test_italian_hyphenation_dictionary_installed():
    import pyphen

    assert "it_IT" in pyphen.LANGUAGES
    assert pyphen.Pyphen(lang="it_IT").inserted("demografica") != "demografica"


def _empty_headings(html):
    """Headings followed directly by another heading of the same or a higher level."""
    body = html.split("<main>", 1)[1]
    tags = re.findall(r"<(h[1-4])\b[^>]*>(.*?)</h[1-4]>|<(p|table|figure|ul|ol|img|dl|div)\b",
                      body, re.S)
    empty, last = [], None
    for heading, title, other in tags:
        if heading:
            level = int(heading[1])
            if last and level <= last[0]:
                empty.append(last[1])
            last = (level, title)
        elif other:
            last = None
    if last:
        empty.append(last[1])
    return empty


@pytest.mark.parametrize("kind", ["piano-operativo", "consuntivo"])
def test_non_seed_plan_report_has_no_empty_heading_nor_placeholder(world, kind):
    plan = world.a[OperatingPlan]
    html = rendering.render_html(rendering.build(kind, plan))
    assert _empty_headings(html) == []
    for placeholder in ("None", "TODO", "Lorem", "{{", "Gli anni mancanti"):
        assert placeholder not in html.split("<main>", 1)[1]


def test_seed_report_pdf_text_is_not_cut_mid_word_in_headers(pdz_2019):
    assert "DEMOGRAFI\nCA" not in pdz_2019.text
