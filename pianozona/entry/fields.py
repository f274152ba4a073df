"""Form fields of the entry pages: numbers the Italian way, parsed by pianozona.numbers."""

from decimal import Decimal

from django import forms

from pianozona.numbers import format_decimal, format_measure, parse_decimal


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
