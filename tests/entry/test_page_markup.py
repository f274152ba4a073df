"""The grids draw their fields in Python (core/entry/fields.py) for speed: the pages must
come out exactly as Django's widget templates and the former per-cell include drew them."""

import re
from html.parser import HTMLParser

import pytest
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template

from budget.entry_forms import BudgetRowForm
from core.entry.fields import EntryBoundField
from indicators.entry_forms import MarkErrorsMixin
from tests.builders import set_plan_state

from .conftest import budget_post, login, quarter_post, urls

# templates/entry/_field.html as it was, one include per cell: the reference.
FIELD_TEMPLATE = Template(
    '<label class="cell-label" for="{{ field.id_for_label }}">{{ field.label }}'
    '<span class="visually-hidden">, {{ row_label }}</span></label>\n'
    "{{ field }}\n"
    '{% if field.errors %}<div class="invalid-feedback" id="{{ field.html_name }}-error">'
    "{% for e in field.errors %}{{ e }} {% endfor %}</div>{% endif %}\n"
)


def reference_cell(field):
    return FIELD_TEMPLATE.render(Context({"field": field, "row_label": field.form.row_text}))


@pytest.fixture
def through_templates(monkeypatch):
    """Pages drawn the way they were: widget templates and one template per cell."""
    def use():
        renderer = DjangoTemplates()
        monkeypatch.setattr(BudgetRowForm, "default_renderer", renderer)
        monkeypatch.setattr(MarkErrorsMixin, "default_renderer", renderer)
        monkeypatch.setattr(EntryBoundField, "cell", property(reference_cell))
    return use


def normalised(response):
    html = response.content.decode()
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1"', html)
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r"\s+", " ", html)


class Controls(HTMLParser):
    """What a user and a screen reader meet: every control and label, with its attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "select", "option", "label", "textarea", "button", "output"):
            self.found.append((tag, tuple(attrs)))


def controls(response):
    parser = Controls()
    parser.feed(response.content.decode())
    return [(tag, attrs) for tag, attrs in parser.found
            if ("name", "csrfmiddlewaretoken") not in attrs]


def scenarios(entry):
    indicator, milestone = entry["indicator"], entry["milestone"]
    line = entry["line"]
    return {
        "budget": ("staff_a", "get", "budget", None, 200),
        "budget with errors": (
            "staff_a", "post", "budget",
            budget_post(entry["objective"], edits={line.pk: {"preventivo": "1,234",
                                                              "item": "<b>&\"voce\"</b>"}},
                        new_rows=[{"action": entry["action"].pk, "item": "Senza importo",
                                   "preventivo": ""}]),
            200,
        ),
        "quarter": ("referent_a", "get", "quarter", None, 200),
        "quarter with errors": (
            "referent_a", "post", "quarter",
            quarter_post([indicator], [milestone], entry["period_q1"],
                         values={indicator: ("value", "dodici", "nota <i>")},
                         outcomes={milestone: ("si", "")}),
            200,
        ),
        "quarter, other role": ("staff_a", "get", "quarter", None, 200),
    }


@pytest.mark.parametrize("case", ["budget", "budget with errors", "quarter",
                                  "quarter with errors", "quarter, other role"])
def test_pages_are_drawn_as_by_the_templates(client, world, entry, through_templates, case):
    role, method, page, data, status = scenarios(entry)[case]
    login(client, world, role)
    url = urls(entry)[page]

    def fetch():
        response = getattr(client, method)(url, data) if data else client.get(url)
        assert response.status_code == status
        return response

    fast = fetch()
    through_templates()
    reference = fetch()
    assert normalised(fast) == normalised(reference)
    assert controls(fast) == controls(reference)


def test_frozen_plan_pages_are_drawn_as_by_the_templates(client, world, entry,
                                                         through_templates):
    set_plan_state(entry["plan"], "chiuso")
    login(client, world, "staff_a")
    pages = [urls(entry)["budget"], urls(entry)["quarter"]]
    fast = [normalised(client.get(url)) for url in pages]
    through_templates()
    assert fast == [normalised(client.get(url)) for url in pages]


def test_budget_grid_controls(client, world, entry):
    """Names, ids, labels and Italian values of a budget row, as the save expects them."""
    login(client, world, "staff_a")
    line = entry["line"]
    found = controls(client.get(urls(entry)["budget"]))
    row = [dict(attrs) for tag, attrs in found
           if tag in ("input", "select") and dict(attrs).get("name", "").startswith("form-0-")]
    by_name = {attrs["name"]: attrs for attrs in row}
    assert list(by_name) == ["form-0-line_id", "form-0-action", "form-0-token", "form-0-item",
                             "form-0-note", "form-0-channel", "form-0-preventivo",
                             "form-0-consuntivo", "form-0-DELETE"]
    assert by_name["form-0-line_id"]["value"] == str(line.pk)
    assert by_name["form-0-preventivo"] == {
        "type": "text", "name": "form-0-preventivo", "value": "10,05", "inputmode": "decimal",
        "autocomplete": "off", "spellcheck": "false", "class": "form-control text-end js-money",
        "data-total": "preventivo", "id": "id_form-0-preventivo",
    }
    labels = [dict(attrs)["for"] for tag, attrs in found if tag == "label"]
    assert {"id_form-0-item", "id_form-0-preventivo", "id_form-0-DELETE"} <= set(labels)
