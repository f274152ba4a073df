"""The typed cells of a DataTable: kinds, parsing, computed cells and their printed figures.

A column has a kind (``KINDS``). Cells of a numeric column arrive from the fixtures as the
document prints them ("6.755", "+486", "11%", "83.163,79 €"), are parsed the Italian way
(core.numbers.parse_decimal) and stored as plain decimals ("6755", "+486", "11",
"83163.79"); text in a numeric column is refused with a message naming the place.

``rules`` name the cells the table computes (totals, Δ) or corrects; ``evaluate`` gives
each cell its figure and, where the document printed another, the printed one: the
reports print the computed figure with the printed one as a footnote, and the
reconciliation lists the same difference (scope ``table:KEY:ROW:COLUMN``).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.numbers import format_decimal, format_measure, parse_decimal

TEXT, COUNT, NUMBER, PERCENT, EURO = "text", "count", "number", "percent", "euro"
KINDS = (TEXT, COUNT, NUMBER, PERCENT, EURO)
_PLACES = {COUNT: 0, NUMBER: 3, PERCENT: 2, EURO: 2}
# What a numeric cell may print instead of a figure (no figure: not a zero).
MARKERS = {"-", "–", "—", "=", "n.d.", "N.D.", "N.D", "nd"}


class TableError(ValueError):
    pass


_TWO_FIGURES = re.compile(r"\d\s+\d")
_SPACE_GROUPED = re.compile(r"[+\-−]?\s*\d{1,3}(\s\d{3})+(,\d+)?")


def parse_cell(kind, raw, *, where):
    """A printed cell of a ``kind`` column -> the stored string ("" for empty)."""
    text = "" if raw is None else str(raw).strip()
    if kind == TEXT or text == "" or text in MARKERS:
        return text
    body = text.replace("\u00a0", " ")
    if kind == PERCENT:
        body = body.rstrip().removesuffix("%")
    if kind == EURO:
        body = body.replace("€", "")
    body = body.strip()
    # Two figures in one cell ("716 70,33%": a number and its share printed together) are
    # not one number with a space for thousands separator: refused, never read as 71.670,33.
    if _TWO_FIGURES.search(body) and not _SPACE_GROUPED.fullmatch(body):
        raise TableError(
            f"{where}: «{text}» contiene due cifre ({kind}): una cella numerica ne vuole una sola"
        )
    sign = ""
    if body[:1] == "+":
        sign, body = "+", body[1:].strip()
    elif body[:1] in "-−":
        sign, body = "-", body[1:].strip()
    try:
        value = parse_decimal(body, places=_PLACES[kind], max_digits=18, label=where)
    except ValidationError:
        raise TableError(
            f"{where}: «{text}» non è un numero ({kind}): una colonna numerica non accetta testo"
        ) from None
    if value is None or body in MARKERS:
        raise TableError(f"{where}: «{text}» non è un numero ({kind})")
    plain = format_decimal(value.normalize(), places=max(0, -value.normalize().as_tuple().exponent),
                           grouping=False).replace(",", ".")
    return f"{sign}{plain}" if plain != "0" or sign != "-" else "0"


def parse_rows(key, columns, kinds, rows, *, source=""):
    """Check ``kinds`` and parse every numeric cell; messages name file, table, row, column."""
    place = f"{source}: tabella «{key}»" if source else f"tabella «{key}»"
    if not kinds:
        return [[("" if c is None else str(c)) for c in row] for row in rows]
    if len(kinds) != len(columns):
        raise TableError(f"{place}: {len(kinds)} tipi per {len(columns)} colonne")
    for kind in kinds:
        if kind not in KINDS:
            raise TableError(
                f"{place}: tipo di colonna sconosciuto «{kind}» (ammessi: {', '.join(KINDS)})"
            )
    parsed = []
    for r, row in enumerate(rows, start=1):
        if len(row) > len(columns):
            raise TableError(f"{place}, riga {r}: {len(row)} celle per {len(columns)} colonne")
        cells = list(row) + [""] * (len(columns) - len(row))
        parsed.append([
            parse_cell(kind, cell, where=f"{place}, riga {r}, colonna «{columns[c] or c + 1}»")
            for c, (kind, cell) in enumerate(zip(kinds, cells, strict=True))
        ])
    return parsed


def check_rules(key, rows, kinds, rules, *, source=""):
    place = f"{source}: tabella «{key}»" if source else f"tabella «{key}»"
    width = len(kinds)
    for rule in rules:
        if "check" in rule:  # a cell the document prints elsewhere too (``cross_checks``)
            r, c = rule["check"]
            if not (0 <= r < len(rows) and 0 <= c < width) or kinds[c] == TEXT:
                raise TableError(f"{place}: la verifica {rule!r} non indica una cella numerica")
            if not rule.get("same_as") or not rule.get("label"):
                raise TableError(f"{place}: la verifica {rule!r} vuole same_as e label")
            continue
        targets = list(_targets(rule))
        if not targets:
            raise TableError(f"{place}: regola non riconosciuta {rule!r}")
        for r, c in targets + list(_sources(rule)):
            if not (0 <= r < len(rows) and 0 <= c < width):
                raise TableError(f"{place}: la regola {rule!r} esce dalla tabella")
            if kinds[c] == TEXT:
                raise TableError(f"{place}: la regola {rule!r} calcola una colonna di testo")


def _targets(rule):
    if "cell" in rule:
        yield tuple(rule["cell"])
    elif "row" in rule:
        for c in rule["columns"]:
            yield rule["row"], c
    elif "column" in rule:
        for r in rule["rows"]:
            yield r, rule["column"]


def _sources(rule):
    if "sum_rows" in rule or "minus_rows" in rule:
        for r in rule.get("sum_rows") or rule.get("minus_rows"):
            for c in rule["columns"]:
                yield r, c
    if "sum_columns" in rule or "minus_columns" in rule:
        for c in rule.get("sum_columns") or rule.get("minus_columns"):
            for r in rule["rows"]:
                yield r, c


@dataclass(frozen=True)
class Cell:
    kind: str
    text: str  # stored text (a plain decimal for numeric kinds)
    value: Decimal | None = None  # the figure (computed where a rule says so)
    printed: Decimal | None = None  # the document's figure, when it differs from value
    reason: str = ""
    computed: bool = False

    @property
    def differs(self):
        return self.printed is not None

    def display(self, figure=None):
        figure = self.value if figure is None else figure
        if self.kind == TEXT or figure is None:
            return self.text
        return format_figure(self.kind, figure, signed=self.text.startswith("+"))


def format_figure(kind, value, *, signed=False):
    if kind == EURO:
        text = format_decimal(value, places=2) + " €"
    else:
        text = format_measure(value)
        if kind == PERCENT:
            text += "%"
    return f"+{text}" if signed and value > 0 else text


def _number(text):
    if text in ("", None) or text in MARKERS:
        return None
    return Decimal(text)


def evaluate(table):
    """Every cell of ``table`` with its figure; rule cells computed, in the rules' order."""
    kinds = list(table.kinds or [])
    width = len(table.columns or [])
    kinds += [TEXT] * (width - len(kinds))
    rows = [list(r) + [""] * (width - len(r)) for r in (table.rows or [])]
    values = [[None if k == TEXT else _number(str(c)) for k, c in zip(kinds, r, strict=False)]
              for r in rows]
    rule_of = {}
    for rule in table.rules or []:
        for r, c in _targets(rule):
            values[r][c] = _apply(rule, values, r, c)
            rule_of[(r, c)] = rule
    grid = []
    for r, row in enumerate(rows):
        line = []
        for c, text in enumerate(row):
            kind, value = kinds[c], values[r][c]
            rule = rule_of.get((r, c))
            printed = _number(str(text)) if rule and kind != TEXT else None
            differs = printed is not None and value is not None and printed != value
            line.append(Cell(kind, str(text), value, printed if differs else None,
                             (rule or {}).get("reason", "") if differs else "", rule is not None))
        grid.append(line)
    return grid


def _apply(rule, values, r, c):
    if "value" in rule:
        return Decimal(rule["value"])
    if "sum_rows" in rule:
        parts = [values[x][c] for x in rule["sum_rows"]]
    elif "sum_columns" in rule:
        parts = [values[r][x] for x in rule["sum_columns"]]
    elif "minus_rows" in rule:
        a, b = (values[x][c] for x in rule["minus_rows"])
        return None if a is None or b is None else a - b
    else:
        a, b = (values[r][x] for x in rule["minus_columns"])
        return None if a is None or b is None else a - b
    return sum((p for p in parts if p is not None), Decimal(0))


def cell_label(table, r, c):
    """'2005 TOTALE, NATI': the row's text cells and the column's name."""
    kinds = list(table.kinds or [])
    row = table.rows[r]
    names = [str(row[i]) for i in range(min(len(row), len(kinds))) if kinds[i] == TEXT and row[i]]
    column = table.columns[c] if c < len(table.columns) else str(c + 1)
    return f"{' '.join(names[:2]) or f'riga {r + 1}'}, {column}"


def cross_checks(table):
    """``check`` rules: a cell of the table that the document prints elsewhere as well (a
    budget line, say). ``(row, column, scope, label, reason)``: the report footnotes the
    cell where the other figure differs, the reconciliation lists the table's figure
    against the one of ``scope``."""
    for rule in table.rules or []:
        if "check" in rule:
            r, c = rule["check"]
            yield r, c, rule["same_as"], rule["label"], rule.get("reason", "")


def printed_figures(table):
    """(scope, label, printed, reason) of every rule cell: what the reconciliation checks."""
    title = table.number or table.title or table.key
    for r, c, scope, label, reason in cross_checks(table):
        value = value_at(table, r, c)
        if value is not None:
            yield scope, f"{title}: {cell_label(table, r, c)} ({label})", value, reason
    for rule in table.rules or []:
        for r, c in _targets(rule):
            printed = _number(str(table.rows[r][c])) if c < len(table.rows[r]) else None
            if printed is None:
                continue
            title = table.number or table.title or table.key
            yield (f"table:{table.key}:{r}:{c}", f"{title}: {cell_label(table, r, c)}",
                   printed, rule.get("reason", ""))


def value_at(table, r, c):
    return evaluate(table)[r][c].value
