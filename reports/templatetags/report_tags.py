"""Filters of the printed reports: money with its printed-figure footnote, numbers, dates."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from core.formatting import format_euro
from reports.builders import Figure
from reports.format import format_date, format_number, format_short_date

register = template.Library()


@register.filter
def money(value):
    """1.234,56 € — with a footnote when the source document printed another figure."""
    if isinstance(value, Figure):
        text = escape(format_euro(value.value))
        explained = "".join(f". {note}" for note in value.notes)
        notes = "".join(
            format_html(
                '<span class="fn">importo stampato nel documento originale: {}{}</span>',
                format_euro(printed), explained,
            )
            for printed in value.printed
        )
        return mark_safe(text + notes)  # noqa: S308 - both parts escaped above
    return format_euro(value)


@register.filter
def number(value):
    return "" if value is None else format_number(value)


@register.filter
def date_it(value):
    return format_date(value)


@register.filter
def short_date(value):
    return format_short_date(value)
