"""Form fields shared by the admin and the pages."""

from decimal import Decimal

from django import forms

from .numbers import format_decimal, format_measure, parse_decimal


class ItalianDecimalField(forms.DecimalField):
    """Decimals typed and shown the Italian way ("1.234,56"), parsed strictly.

    Django's own localisation needs USE_THOUSAND_SEPARATOR, which also groups every
    integer a template prints (ids, years: "2.018"); this field formats only itself.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        # Sign checks stay with the model's validators, whose messages the admin shows.
        return parse_decimal(
            value,
            places=self.decimal_places,
            max_digits=self.max_digits,
            allow_negative=True,
        )

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            if self.decimal_places == 2:
                return format_decimal(value, places=2)
            return format_measure(value)
        return value
