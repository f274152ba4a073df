from django import template

from core.formatting import format_euro
from core.numbers import format_measure

register = template.Library()


@register.filter
def euro(value):
    """Money the Italian way: 1.234.567,89 €."""
    return format_euro(value)


@register.filter
def measure(value):
    """A count or share the Italian way, without trailing zeros: 3.724, 16,5."""
    return format_measure(value)
