from django import template

from core.formatting import format_euro

register = template.Library()


@register.filter
def euro(value):
    """Money the Italian way: 1.234.567,89 €."""
    return format_euro(value)
