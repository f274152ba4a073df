"""Italian formatting of money for pages, admin and reports."""

from decimal import ROUND_HALF_UP, Decimal

from .numbers import format_decimal


def format_euro(value, *, symbol=True):
    """1234567.8 -> '1.234.567,80 €' (None -> '–')."""
    if value is None:
        return "–"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format_decimal(amount, places=2)
    return f"{text} €" if symbol else text
