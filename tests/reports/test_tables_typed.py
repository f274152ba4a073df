"""Stored tables are typed data: numbers parsed the Italian way, printed the Italian way,
totals and Δ computed (issue 19.1). The builder's context and HTML, not the PDF."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from objectives import tables
from objectives.models import DataTable, ZonePlan
from reports import builders

pytestmark = pytest.mark.django_db


def _table(key):
    return DataTable.objects.get(key=key)


def _blocks(node):
    if isinstance(node, dict):
        if str(node.get("template", "")).endswith("datatable.html"):
            yield node
        for value in node.values():
            yield from _blocks(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _blocks(value)


@pytest.fixture(scope="module")
def pdz_context(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        zone_plan = ZonePlan.objects.get(ambito__slug="cremona", start_year=2019)
        return builders.build_zone_plan(zone_plan).context


def _block(context, title):
    found = [b for b in _blocks(context.get("flow", context))
             if title in b["caption"]]
    assert found, title
    return found[0]


def _cell(block, row_start, column):
    """The printed text of ``column`` in the first row whose leading cells are ``row_start``."""
    names = [name for name, _numeric in block["columns"]]
    for row in block["rows"]:
        texts = [text for text, _numeric, _note in row]
        if texts[: len(row_start)] == list(row_start):
            return texts[names.index(column)]
    raise AssertionError(row_start)


def test_poli_territoriali_cells_are_the_seed_figures_as_numbers():
    grid = tables.evaluate(_table("tab-1-4-poli-territoriali"))
    values = {(row[0].text, row[1].text): row for row in grid}
    assert values[("PIZZIGHETTONE", "1999")][8].value == Decimal("6755")
    assert values[("PIZZIGHETTONE", "2017")][8].value == Decimal("6465")
    assert values[("SORESINA", "Δ")][2].value == Decimal("486")
    assert values[("CREMONA", "1999")][6].value == Decimal("16516")
    assert values[("CREMONA", "2017")][6].value == Decimal("19314")
    assert values[("CREMONA", "Δ")][8].value == Decimal("466")
    # Computed cells agree with what the document prints there: no footnote.
    assert not any(cell.differs for row in grid for cell in row)


def test_poli_territoriali_printed_the_italian_way(pdz_context):
    block = _block(pdz_context, "POLI TERRITORIALI")
    assert _cell(block, ["PIZZIGHETTONE", "1999"], "TOTALE") == "6.755"
    assert _cell(block, ["SORESINA", "Δ"], "0-14") == "+486"
    assert _cell(block, ["CREMONA", "1999"], "> 65") == "16.516"
    assert _cell(block, ["CREMONA", "2017"], "> 65") == "19.314"
    assert _cell(block, ["PIZZIGHETTONE", "Δ %"], "0-14 %") == "-3%"
    html = render_to_string(block["template"], {"block": block})
    assert ">6.755<" in html and ">16.516<" in html and ">+486<" in html
    assert "6.76<" not in html and ">16.5<" not in html and ">+48<" not in html


def test_provincia_rows_are_computed_from_the_districts(pdz_context):
    block = _block(pdz_context, "ANDAMENTO DEMOGRAFICO")
    rows = [[t for t, _n, _f in r] for r in block["rows"]]
    provincia = rows[12:16]
    assert [r[1] for r in provincia] == ["40.810", "226.997", "66.510", "334.317"]
    assert [r[3] for r in provincia] == ["46.253", "226.251", "86.008", "358.512"]
    assert provincia[0][6] == "+5.443" and provincia[2][6] == "+19.498"


@pytest.mark.parametrize(
    ("kind", "printed", "stored"),
    [("count", "6.755", "6755"), ("count", "+486", "+486"), ("count", "-3.249", "-3249"),
     ("percent", "11%", "11"), ("percent", "-0,3%", "-0.3"), ("euro", "€ 83.163,79", "83163.79"),
     ("number", "27,5", "27.5"), ("count", "-", "-"), ("text", "6.76", "6.76")],
)
def test_cells_parsed_the_italian_way(kind, printed, stored):
    assert tables.parse_cell(kind, printed, where="x") == stored


@pytest.mark.parametrize(("kind", "printed"), [("count", "6.76"), ("count", "16.5"),
                                               ("count", "N. 12"), ("percent", "circa 5%"),
                                               ("euro", "vedi sotto")])
def test_text_in_a_numeric_column_is_refused(kind, printed):
    with pytest.raises(tables.TableError, match="non è un numero"):
        tables.parse_cell(kind, printed, where="x")


def test_figures_printed_the_italian_way():
    assert tables.format_figure("count", Decimal("16516")) == "16.516"
    assert tables.format_figure("count", Decimal("486"), signed=True) == "+486"
    assert tables.format_figure("percent", Decimal("3.5"), signed=True) == "+3,5%"
    assert tables.format_figure("euro", Decimal("83163.79")) == "83.163,79 €"
