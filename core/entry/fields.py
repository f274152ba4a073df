"""Form fields of the entry pages: numbers the Italian way, parsed by core.numbers.

Also how the grids draw their fields. The budget and quarterly pages hold hundreds of
inputs; through Django's widget templates and an include per cell each costs about a
millisecond. EntryFormRenderer and EntryBoundField.cell write the very same markup in
Python (tests/entry/test_page_markup.py compares them with the templates).
"""

import html
from decimal import Decimal

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

from core.numbers import format_decimal, format_measure, parse_decimal


class DecimalTextInput(forms.TextInput):
    """A text box, not type=number: browsers' number inputs refuse "1.234,56"."""

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})


class ItalianDecimalField(forms.Field):
    widget = DecimalTextInput

    def __init__(self, *, places=2, max_digits=14, allow_negative=False, label_text=None,
                 grouping=True, **kwargs):
        self.places, self.max_digits, self.allow_negative = places, max_digits, allow_negative
        self.label_text, self.grouping = label_text, grouping
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        return parse_decimal(
            value, places=self.places, max_digits=self.max_digits,
            allow_negative=self.allow_negative,
            label=self.label_text or "Il valore",
        )

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            if self.grouping:
                return format_decimal(value, places=self.places)
            return format_measure(value)
        return value


class MoneyField(ItalianDecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label_text", "L'importo")
        super().__init__(places=2, max_digits=14, **kwargs)


def _text(value):
    """``{{ value }}`` in a template with autoescape on: localised, then escaped unless safe."""
    if type(value) is str:  # the common case, without the lazy-aware wrappers
        return html.escape(value)
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _stringformat(value):
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe."""
    if type(value) is str:
        return html.escape(value)
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 - as the filter
    return text if isinstance(value, SafeData) else html.escape(text)


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_stringformat(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    """django/forms/widgets/input.html (text, hidden, checkbox…)."""
    value = "" if widget["value"] is None else f' value="{_stringformat(widget["value"])}"'
    return (f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
            f'{_attrs(widget["attrs"])}>')


def _option(option):
    """django/forms/widgets/select_option.html."""
    return (f'<option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
            f'{_text(option["label"])}</option>')


def _select(widget):
    """django/forms/widgets/select.html (without option groups: see EntryFormRenderer)."""
    # Each option keeps the newline that ends select_option.html, as the include leaves it.
    options = "".join(f"\n  {_option(option)}\n"
                      for _name, group, _index in widget["optgroups"] for option in group)
    return f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'


class EntryFormRenderer(DjangoTemplates):
    """Django's form renderer with the plainest widgets written in Python, character for
    character as Django's templates draw them; any other template, or a select with option
    groups, goes through the templates as usual."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if len(context) == 1 else None
        if widget is not None:
            if template_name in INPUT_TEMPLATES:
                return _input(widget)
            if template_name == SELECT_TEMPLATE and not any(
                name for name, _group, _index in widget["optgroups"]
            ) and all(o["template_name"] == OPTION_TEMPLATE
                      for _name, group, _index in widget["optgroups"] for o in group):
                return _select(widget)
        return super().render(template_name, context, request=request)


INPUT_TEMPLATES = frozenset(f"django/forms/widgets/{name}.html"
                            for name in ("input", "text", "hidden", "checkbox"))
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
entry_form_renderer = EntryFormRenderer()


class EntryBoundField(BoundField):
    """A field of an entry grid. ``{{ form.x.cell }}`` is one cell of the grid: the label
    (for screen readers, naming the row: ``form.row_text``), the input and its errors."""

    @property
    def cell(self):
        # The markup of the former templates/entry/_field.html, which
        # tests/entry/test_page_markup.py keeps as the reference.
        errors = self.errors
        error_block = (
            f'<div class="invalid-feedback" id="{_text(self.html_name)}-error">'
            + "".join(f"{_text(error)} " for error in errors) + "</div>"
        ) if errors else ""
        return mark_safe(  # noqa: S308 - every value is escaped above and below
            f'<label class="cell-label" for="{_text(self.id_for_label)}">{_text(self.label)}'
            f'<span class="visually-hidden">, {_text(self.form.row_text)}</span></label>\n'
            f"{self}\n{error_block}\n"
        )
