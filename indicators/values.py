"""What a measurement may hold, per indicator kind (shared by the page, the import, the service)."""

from django.core.exceptions import ValidationError

from core.formatting import format_euro
from core.numbers import format_measure, parse_decimal

from .models import Indicator, Measurement

State = Measurement.State
Kind = Indicator.Kind

_YES = {"sì", "si", "s", "yes", "y", "1", "true", "vero"}
_NO = {"no", "n", "0", "false", "falso"}
_NUMBER_RULES = {
    Kind.COUNT: {"places": 0, "label": "Il numero"},
    Kind.PERCENTAGE: {"places": 2, "label": "La percentuale"},
    Kind.DECIMAL: {"places": 4, "allow_negative": True, "label": "Il valore"},
    Kind.CURRENCY: {"places": 2, "label": "L'importo"},
}


def clean_measure(*, indicator, state, raw):
    """(state, value, text_value) for what the user typed; None when nothing was entered.

    ``state`` is "", "value", "nd" or "not_applicable"; N.D. and – carry no value.
    """
    state = state or State.VALUE
    if state not in State.values:
        raise ValidationError("Stato non valido.")
    text = "" if raw is None else str(raw).strip()
    if state != State.VALUE:
        if text:
            raise ValidationError("Con N.D. o – lascia vuoto il valore.")
        return state, None, ""
    if raw is None or text == "":
        return None
    if indicator.kind == Kind.TEXT:
        return State.VALUE, None, text
    if indicator.kind == Kind.BOOLEAN:
        word = text.casefold()
        if word in _YES:
            return State.VALUE, 1, ""
        if word in _NO:
            return State.VALUE, 0, ""
        raise ValidationError(f"«{text}» non è una risposta valida: scrivi Sì oppure No.")
    rules = dict(_NUMBER_RULES.get(indicator.kind, _NUMBER_RULES[Kind.DECIMAL]))
    label = rules.pop("label")
    if indicator.kind == Kind.PERCENTAGE and text.endswith("%"):
        raw = text[:-1]
    if indicator.kind == Kind.COUNT and isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = parse_decimal(raw, max_digits=14, label=label, **rules)
    return State.VALUE, value, ""


def display_measure(measurement, *, kind=None):
    """A measurement as the plans print it: value, N.D. or – (pages and reports alike).

    ``kind`` spares a query when the caller already holds the indicator.
    """
    if measurement is None:
        return ""
    if measurement.state == State.NOT_AVAILABLE:
        return "N.D."
    if measurement.state == State.NOT_APPLICABLE:
        return "–"
    value = measurement.value
    if value is None:
        return measurement.text_value
    kind = kind or measurement.indicator.kind
    if kind == Kind.PERCENTAGE:
        return f"{format_measure(value)}%"
    if kind == Kind.CURRENCY:
        return format_euro(value)
    if kind == Kind.BOOLEAN:
        return "Sì" if value else "No"
    return format_measure(value)
