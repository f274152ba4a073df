"""Bar geometry for the dashboard's charts (drawn as SVG attributes: no inline styles)."""

from decimal import Decimal


def _width(value, top):
    if not value or not top:
        return 0
    return round(float(Decimal(value) / top * 100), 1)


def paired_bars(rows, *, label, a, b):
    """``rows`` of dicts/objects -> label, values and widths 0-100 against the largest value."""
    def get(row, key):
        return row[key] if isinstance(row, dict) else getattr(row, key)

    values = [(get(r, label), get(r, a) or Decimal(0), get(r, b) or Decimal(0)) for r in rows]
    top = max((max(x, y) for _, x, y in values), default=Decimal(0))
    return [
        {"label": name, "a": x, "b": y, "a_width": _width(x, top), "b_width": _width(y, top)}
        for name, x, y in values
    ]


def share(part, whole):
    """0-100 width of a part of a whole (progress of the quarter)."""
    if not whole:
        return 0
    return round(part * 100 / whole, 1)
