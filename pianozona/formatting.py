"""Italian formatting of money for pages, admin and reports."""

from decimal import ROUND_HALF_UP, Decimal


def format_euro(value, *, symbol=True):
    """1234567.8 -> '1.234.567,80 €' (None -> '–')."""
    if value is None:
        return "–"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    integer, _, cents = f"{abs(amount):.2f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = f"{sign}{'.'.join(groups)},{cents}"
    return f"{text} €" if symbol else text
