"""Numbers typed the Italian way ("1.234,56"), parsed strictly into Decimal.

Django's localized DecimalField guesses: it reads "1.234" as 1234 but "1234.5"
as 1234,5 and lets "1.2.3" through as 123. Money must never be guessed, so the
entry pages, the imports and the admin-free forms share this parser: it accepts
what an Italian office writes (and what Excel exports), and refuses the rest
with a message that says what is wrong.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# "1.234.567,89", "1234567,89", "1234567"; groups of exactly three after a dot.
_ITALIAN = re.compile(r"^(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<dec>\d+))?$")
# "1234.5" or "1234.56": a dot followed by one or two digits can only be a decimal point.
_DOT_DECIMAL = re.compile(r"^(?P<int>\d+)\.(?P<dec>\d{1,2})$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
# How the printed plans write zero: "€ -", "-", "–".
_DASHES = {"-", "–", "—"}


def parse_decimal(value, *, places, max_digits, allow_negative=False, label="Il valore"):
    """Text or number -> Decimal with at most ``places`` decimals; None for an empty cell.

    Raises ValidationError with an Italian message for anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{label} deve essere un numero.", code="invalid")
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, float):
        # Spreadsheet cells arrive as floats: their shortest repr is what the user typed.
        number = Decimal(repr(value))
    else:
        text = _SPACES.sub("", str(value)).replace("€", "")
        if text == "":
            return None
        if text in _DASHES:
            return Decimal(0).quantize(Decimal(1).scaleb(-places))
        negative = text[0] in "-−"
        if negative:
            text = text[1:]
        match = _ITALIAN.match(text) or _DOT_DECIMAL.match(text)
        if match is None:
            raise ValidationError(
                f"{label} «{value}» non è un numero valido: scrivi ad esempio 1.234,56.",
                code="invalid",
            )
        digits = match["int"].replace(".", "")
        number = Decimal(f"{'-' if negative else ''}{digits}.{match['dec'] or '0'}")
    if not number.is_finite():
        raise ValidationError(f"{label} deve essere un numero.", code="invalid")
    if number < 0 and not allow_negative:
        raise ValidationError(f"{label} non può essere negativo.", code="negative")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValidationError(
            f"{label} «{value}» ha più di {places} decimali.", code="places"
        )
    try:
        number = number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        raise ValidationError(f"{label} è troppo grande.", code="max_digits") from None
    if len(number.as_tuple().digits) > max_digits:
        raise ValidationError(f"{label} è troppo grande.", code="max_digits")
    return number


def parse_money(value, *, label="L'importo"):
    """Euro with two decimals, never negative (the budget's lines and allocations)."""
    return parse_decimal(value, places=2, max_digits=14, label=label)


def format_decimal(value, *, places=2, grouping=True):
    """Decimal -> "1.234,56" (for form fields; None -> "")."""
    if value is None:
        return ""
    number = Decimal(value).quantize(Decimal(1).scaleb(-places))
    sign = "-" if number < 0 else ""
    integer, _, decimals = f"{abs(number):.{places}f}".partition(".")
    if grouping:
        groups = []
        while integer:
            groups.insert(0, integer[-3:])
            integer = integer[:-3]
        integer = ".".join(groups)
    return f"{sign}{integer},{decimals}" if places else f"{sign}{integer}"


def format_measure(value):
    """A measurement value without trailing zeros: 7 -> "7", 12.5 -> "12,5"."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_decimal(number, places=places)
