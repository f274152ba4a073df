"""No user-typed text reaches a page, a PDF or a spreadsheet as live markup or formula.

Every free-text field (CharField/TextField) of every model of governance, objectives,
budget and indicators, enumerated from ``_meta`` so that a new field is covered without
touching this file, holds an HTML payload behind a spreadsheet formula. The pages, the
admin, the report HTML that goes to WeasyPrint, a real PDF, the API (JSON and CSV) and
every CSV/XLSX export must show it as text: escaped in HTML, literal in the PDF and the
JSON, with a leading apostrophe (or as a string cell) in spreadsheets.
"""

import csv
import io
import json
import re
import zipfile

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse
from pypdf import PdfReader
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from objectives.models import Objective, OperatingPlan, Section, ZonePlan
from pianozona.api.urls import router
from reports import rendering
from reports.builders import KIND_FINAL_REPORT, KIND_OPERATING_PLAN, KIND_ZONE_PLAN
from reports.markup import render_markdown

APPS = ("governance", "objectives", "budget", "indicators")
# Not free text: machine-made or fixed-format codes that nobody types as prose.
NOT_FREE_TEXT = {
    ("Municipality", "istat_code"),  # six ISTAT digits
    ("SourceDocument", "fixture_digest"),  # hash of the loaded seed file
}

HTML = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
SHORT_HTML = "<script>alert(1)"
FORMULAS = ['=HYPERLINK("http://evil","x")', "+SUM(1,2)", "@cmd", "-2+3"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+([.,]\d+)?")

# What must never be found in HTML: the payload's tags alive.
LIVE = re.compile(r"<script>alert|<img src=x onerror|onerror=alert\(1\)>", re.I)


def free_text_fields():
    """(model, field) for every free-text field; choices, slugs and codes are not typed text."""
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.fields:
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                if field.choices or isinstance(field, models.SlugField):
                    continue  # a choice is one of ours; a slug is validated as [a-z0-9-]
                if (model.__name__, field.name) in NOT_FREE_TEXT:
                    continue
                found.append((model, field))
    return found


FIELDS = free_text_fields()


def payload_for(index, field):
    formula = FORMULAS[index % len(FORMULAS)]
    value = formula + HTML
    if field.max_length and len(value) > field.max_length:
        value = formula[0] + SHORT_HTML
    assert not field.max_length or len(value) <= field.max_length, field
    return value


@pytest.fixture(scope="module")
def payloads(module_world):
    """Ambito A's objects with every free-text field set to its payload (once per module)."""
    world = module_world
    stored = {}
    for index, (model, field) in enumerate(FIELDS):
        obj = world.a[model]
        value = payload_for(index, field)
        model._default_manager.filter(pk=obj.pk).update(**{field.name: value})
        stored[(model, field.name)] = value
    # A section of the plan's document in markdown, with what markdown lets one slip in.
    section = world.a[Section]
    stored[(Section, "body")] = (
        "Testo **importante**.\n\n<script>alert(1)</script>\n\n"
        "[clicca](javascript:alert(1)) <img src=x onerror=alert(1)>\n"
    )
    Section.objects.filter(pk=section.pk).update(body=stored[(Section, "body")])
    return stored


@pytest.fixture
def env(module_world, payloads, db):
    return module_world, payloads


def client_for(world, role):
    client = Client()
    client.force_login(world.user(role))
    return client


def assert_escaped(html, where):
    found = LIVE.search(html)
    assert not found, f"{where}: live ...{html[max(found.start() - 120, 0):found.end() + 60]}"


def test_every_free_text_field_is_covered():
    # The enumeration is what makes the other tests complete: it must find the fields
    # users type most, and payloads must fit them.
    names = {(m.__name__, f.name) for m, f in FIELDS}
    for expected in [("Objective", "title"), ("Objective", "description"), ("BudgetLine", "item"),
                     ("BudgetLine", "note"), ("Section", "body"), ("Referent", "name"),
                     ("Measurement", "note"), ("Milestone", "note"), ("Indicator", "name")]:
        assert expected in names
    assert ("Membership", "role") not in names  # a choice
    assert len(FIELDS) > 60


# --- pages and admin -------------------------------------------------------------------


def test_data_entry_pages_escape_every_field(env):
    world, _ = env
    a = world.a
    plan, objective = a[OperatingPlan], a[Objective]
    urls = [
        reverse("objectives:plan_list"),
        reverse("objectives:plan_detail", args=[plan.pk]),
        reverse("objectives:dashboard", args=[plan.pk]),
        reverse("objectives:objective_detail", args=[objective.pk]),
        reverse("budget:entry", args=[objective.pk]),
        reverse("indicators:quarter", args=[plan.pk, 1]),
        reverse("reports:operating_plan", args=[plan.pk]),
        reverse("reports:zone_plan", args=[a[ZonePlan].pk]),
    ]
    for role in ("staff_a", "referent_a"):
        client = client_for(world, role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert_escaped(html, f"{url} as {role}")
            assert "&lt;script&gt;alert(1)" in html, f"{url}: payload not shown as text"


@pytest.mark.parametrize(
    "model", sorted({m for m, _ in FIELDS if m in admin.site._registry}, key=lambda m: m.__name__),
    ids=lambda m: m.__name__,
)
def test_admin_escapes_every_field(env, model):
    world, stored = env
    client = client_for(world, "superuser")
    obj = world.a[model]
    opts = model._meta
    for url in (reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                + f"?q={world.a.ambito.pk}",
                reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)
    # The form shows each payload back, escaped, as the value to edit.
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                              args=[obj.pk])).content.decode()
    for m, name in stored:
        if m is model and f'name="{name}"' in page:
            assert "&lt;script&gt;alert(1)" in page, f"{model.__name__}.{name} not shown back"


# --- reports ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [KIND_OPERATING_PLAN, KIND_FINAL_REPORT, KIND_ZONE_PLAN])
def test_report_html_escapes_every_field(env, kind):
    world, _ = env
    target = world.a[ZonePlan] if kind == KIND_ZONE_PLAN else world.a[OperatingPlan]
    html = rendering.render_html(rendering.build(kind, target))
    assert_escaped(html, kind)
    assert "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, as text


def test_pdf_prints_the_payload_as_text(env):
    world, _ = env
    plan = world.a[OperatingPlan]
    rendered = rendering.render(KIND_OPERATING_PLAN, plan)
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    flat = re.sub(r"\s+", "", text)
    assert "<script>alert(1)</script>" in flat  # the objective's title, printed literally
    assert "Testoimportante" in flat  # the section's markdown, rendered
    assert "javascript" not in flat


def test_markdown_is_sanitised():
    html = render_markdown(
        "Uno <script>alert(1)</script> due\n\n[link](javascript:alert(1)) "
        '<img src=x onerror=alert(1)> <a href="javascript:alert(2)">x</a> '
        '<p onclick="alert(3)">p</p> <iframe src="http://evil"></iframe>'
    )
    assert "<script" not in html and "alert(1)" not in html
    assert "javascript:" not in html and "<a" not in html
    assert "<img" not in html and "onclick" not in html and "<iframe" not in html
    assert "Uno" in html and "due" in html


# --- API -------------------------------------------------------------------------------


def _api(world):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=world.user("auditor_a"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


ENDPOINTS = sorted(basename for _, _, basename in router.registry)


def assert_formulas_escaped(rows, where):
    for row in rows:
        for value in row:
            if isinstance(value, str) and value.startswith(FORMULA_START):
                assert PLAIN_NUMBER.fullmatch(value), f"{where}: formula cell {value!r}"


def test_api_json_returns_the_text_as_data(env):
    world, stored = env
    client = _api(world)
    seen = set()
    for basename in ENDPOINTS:
        response = client.get(reverse(f"{basename}-list"), {"ambito": world.a.ambito.slug})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        for text in _strings(response.json()):
            if "alert(1)" in text:
                # The value itself, or a label built from it (``str()`` of a related row).
                typed = [v for v in stored.values() if v in text]
                assert typed and "&lt;" not in text, f"{basename}: {text!r} is not as typed"
                seen.update(typed)
    assert set(FORMULAS[0:1]) & {v[:len(FORMULAS[0])] for v in seen}
    assert len(seen) >= 4  # every formula start went through


@pytest.mark.parametrize("basename", ENDPOINTS)
def test_api_csv_escapes_formulas(env, basename):
    world, _ = env
    response = _api(world).get(reverse(f"{basename}-list"),
                               {"format": "csv", "ambito": world.a.ambito.slug})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert_formulas_escaped(rows, basename)


@pytest.mark.parametrize("name", ["budget-budgetline-export", "indicators-measurement-export"])
def test_api_streamed_csv_escapes_formulas(env, name):
    try:
        url = reverse(name)
    except NoReverseMatch:
        pytest.fail(f"{name} is declared in the access matrix but has no URL")
    world, _ = env
    response = _api(world).get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert_formulas_escaped(rows, name)
    assert any(v.startswith("'") for row in rows for v in row)


def test_api_csv_keeps_negative_numbers(env):
    from core.api.renderers import escape_formula

    assert escape_formula("-12.50") == "-12.50"
    assert escape_formula("-2+3") == "'-2+3"
    assert escape_formula("@cmd") == "'@cmd"


# --- spreadsheets of the data-entry pages and of the admin -------------------------------


def _xlsx_rows(content, where):
    """The cell values of the first sheet; a cell typed as formula is a failure."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        for name in sheets:
            assert b"<f>" not in archive.read(name), f"{where}: a formula cell in {name}"
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = []
    for row in book.worksheets[0].iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                assert cell.data_type == "s" and cell.quotePrefix, f"{where}: {cell.value!r}"
        rows.append([cell.value for cell in row])
    return rows


def _csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _export_body(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_entry_exports_escape_formulas(env, fmt):
    world, _ = env
    client = client_for(world, "staff_a")
    a = world.a
    for url in (reverse("budget:export", args=[a[Objective].pk, fmt]),
                reverse("indicators:export", args=[a[OperatingPlan].pk, 1, fmt])):
        content = _export_body(client.get(url))
        if fmt == "csv":
            rows = _csv_rows(content)
            assert_formulas_escaped(rows, url)
            texts = [v for row in rows for v in row]
        else:
            rows = _xlsx_rows(content, url)
            texts = [v for row in rows for v in row if isinstance(v, str)]
        assert any("<script>alert(1)" in v for v in texts), f"{url}: payload missing"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("admin_name", ["budget_budgetline", "indicators_measurement"])
def test_admin_exports_escape_formulas(env, admin_name, fmt):
    world, _ = env
    client = client_for(world, "staff_a")
    url = reverse(f"admin:{admin_name}_export")
    page = client.get(url).content.decode()
    # The format's index in the form, and every field of the resource ticked.
    options = re.findall(r'<option value="(\d+)"[^>]*>\s*([a-z]+)\s*<', page, re.I)
    index = next(value for value, label in options if label.lower() == fmt)
    ticks = {name: "on" for name in re.findall(r'type="checkbox" name="([^"]+)"', page)}
    response = client.post(url, {"format": index, **ticks})
    content = _export_body(response)
    if fmt == "csv":
        rows = _csv_rows(content)
        assert_formulas_escaped(rows, url)
    else:
        rows = _xlsx_rows(content, url)
    assert any(isinstance(v, str) and "alert(1)" in v for row in rows for v in row), \
        f"{url}: payload missing from the export"


def test_spreadsheet_escape_keeps_numbers():
    from decimal import Decimal

    from core.entry.spreadsheets import _csv_value, escape_formula, unescape_formula

    assert _csv_value(Decimal("-12.50")) == "-12,50"  # a number, not text
    for formula in FORMULAS:
        assert escape_formula(formula) == "'" + formula
        assert unescape_formula(escape_formula(formula)) == formula


def test_json_payload_round_trip_is_exact(env):
    # The API does not HTML-escape: the JSON carries exactly what was typed.
    world, stored = env
    objective = world.a[Objective]
    body = _api(world).get(reverse("objectives-objective-detail", args=[objective.pk])).content
    assert json.loads(body)["title"] == stored[(Objective, "title")]
