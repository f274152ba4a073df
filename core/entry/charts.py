"""Bar geometry for the dashboard's charts (drawn as SVG attributes: no inline styles)."""

from decimal import Decimal

from django.utils.text import Truncator


def _width(value, top):
    if not value or not top:
        return 0
    return round(float(Decimal(value) / top * 100), 1)


def paired_bars(rows, *, label, a, b, title=None, limit=48):
    """``rows`` of dicts/objects -> label, values and widths 0-100 against the largest value.

    A label longer than ``limit`` characters is cut with "…"; ``title`` (the key of the full
    text, else the label) goes to the tooltip.
    """
    def get(row, key):
        return row[key] if isinstance(row, dict) else getattr(row, key)

    values = [(str(get(r, label)), str(get(r, title or label)),
               get(r, a) or Decimal(0), get(r, b) or Decimal(0)) for r in rows]
    top = max((max(x, y) for _, _, x, y in values), default=Decimal(0))
    return [
        {"label": Truncator(name).chars(limit), "title": full, "a": x, "b": y,
         "a_width": _width(x, top), "b_width": _width(y, top)}
        for name, full, x, y in values
    ]


def share(part, whole):
    """0-100 width of a part of a whole (progress of the quarter)."""
    if not whole:
        return 0
    return round(part * 100 / whole, 1)
