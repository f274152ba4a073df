"""Italian formatting of dates and numbers for the reports (money: pianozona.formatting)."""

from decimal import Decimal

from pianozona.formatting import format_euro

MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)


def format_date(value):
    """date(2015, 4, 30) -> '30 aprile 2015'."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_short_date(value):
    return "" if value is None else f"{value:%d/%m/%Y}"


def format_number(value, places=None):
    """Italian grouping: 18211 -> '18.211', 87.5 -> '87,5' (trailing zeros dropped)."""
    if value is None:
        return "–"
    number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    integer, _, decimals = f"{abs(number):f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = ".".join(groups) or "0"
    return f"{sign}{text},{decimals}" if decimals else f"{sign}{text}"


def format_money(value):
    return format_euro(value)
