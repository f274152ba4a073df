"""Italian formatting of dates and numbers for the reports (money: core.formatting)."""

from core.numbers import format_decimal, format_measure

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
    if places is not None:
        return format_decimal(value, places=places)
    return format_measure(value)
