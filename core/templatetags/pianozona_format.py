from django import template
from django.core.exceptions import FieldDoesNotExist

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


@register.filter
def readonly_contents(field):
    """An admin read-only field's text, a money field as euro ("4.000,00 €" where Django
    prints "4000,00"); used by the admin's fieldset and tabular inline templates."""
    name = field.field.get("name") if isinstance(field.field, dict) else None
    instance = getattr(field.form, "instance", None)
    if isinstance(name, str) and instance is not None:
        try:
            model_field = instance._meta.get_field(name)
        except FieldDoesNotExist:  # an admin method or a callable
            model_field = None
        if getattr(model_field, "money", False):
            return format_euro(getattr(instance, name))
    return field.contents()
