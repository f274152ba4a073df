"""Reads of the classification: the effective codes of each line and the cuts of a plan.

Effective classification of a line in a dimension: the line's own codes if it has any
(an override), else its action's codes, else unclassified. A split line is cut by its
shares; the cents are handed out so that the parts add up exactly to the line's amount.
"""

import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Func, Q, TextField

from budget.models import BudgetLine
from core.derived import GroupedColumn

from .models import Assignment, Code, Dimension

CENT = Decimal("0.01")
UNCLASSIFIED = None
MEASURES = ("preventivo", "consuntivo")


def dimensions():
    return Dimension.objects.prefetch_related("codes")


def codes_of(dimension_code, *, year=None):
    """The codes of a dimension (valid in ``year`` when given), in their order."""
    codes = Code.objects.filter(dimension__code=dimension_code).order_by("position", "code")
    return [c for c in codes if year is None or c.valid_in(year)]


def split_amount(amount, shares):
    """``amount`` cut by ``shares`` (percentages summing to 100), to the cent, adding up.

    The rounding difference goes to the largest share, so no cent is lost or counted twice.
    """
    if not shares:
        return []
    parts = [(code, (amount * share / 100).quantize(CENT, ROUND_HALF_UP)) for code, share in shares]
    diff = amount - sum(p for _, p in parts)
    if diff:
        biggest = max(range(len(shares)), key=lambda i: shares[i][1])
        code, part = parts[biggest]
        parts[biggest] = (code, part + diff)
    return parts


def _assignments(actions_filter, dimension_code):
    by_action, by_line = defaultdict(list), defaultdict(list)
    rows = Assignment.objects.filter(dimension__code=dimension_code, **actions_filter)
    for action_id, line_id, code, share in rows.values_list(
        "action_id", "line_id", "code__code", "share"
    ).order_by("action_id", "line_id", "-share", "code__code"):
        (by_line[line_id] if line_id else by_action[action_id]).append((code, share))
    return by_action, by_line


def effective_classification(lines, dimension_code):
    """{line id: [(code, share %)]} for ``lines`` (a BudgetLine queryset); [] = unclassified.

    Two queries whatever the number of lines.
    """
    rows = list(lines.values_list("id", "action_id"))
    by_action, by_line = _assignments({"action_id__in": lines.values("action_id")}, dimension_code)
    return {
        line_id: by_line.get(line_id) or by_action.get(action_id) or []
        for line_id, action_id in rows
    }


def effective_assignments(lines, dimension_code):
    """{line id: {"own": bool, "assignments": [Assignment]}} for ``lines`` (a BudgetLine
    queryset): the rows that classify each line in a dimension, with their status and
    reason (the line's own when it has any, else its action's). Three queries whatever
    the number of lines."""
    pairs = list(lines.values_list("id", "action_id"))
    found = Assignment.objects.filter(dimension__code=dimension_code).select_related("code")
    order = ("-share", "code__code")
    by_line, by_action = defaultdict(list), defaultdict(list)
    for row in found.filter(line_id__in=[p for p, _a in pairs]).order_by(*order):
        by_line[row.line_id].append(row)
    for row in found.filter(line__isnull=True,
                            action_id__in={a for _p, a in pairs}).order_by(*order):
        by_action[row.action_id].append(row)
    return {
        line_id: {"own": line_id in by_line,
                  "assignments": by_line.get(line_id) or by_action.get(action_id, [])}
        for line_id, action_id in pairs
    }


def plan_lines(*, plans, channels=None):
    """The budget lines of ``plans`` (a queryset or list of OperatingPlan), optionally only
    those financed by ``channels`` (codes; None inside the list: lines without a channel)."""
    qs = BudgetLine.objects.filter(action__objective__plan__in=plans)
    if channels is not None:
        codes = [c for c in channels if c is not None]
        cond = Q(channel__code__in=codes)
        if None in channels:
            cond |= Q(channel__isnull=True)
        qs = qs.filter(cond)
    return qs


def cut(lines, *, dimension_code, measure, by=None):
    """Amounts of ``lines`` by code of a dimension: {(group, code): Decimal}.

    ``code`` is None for unclassified money; ``group`` is the value of the ``by`` field of
    the line (e.g. "action__objective__plan__zone_plan__ambito__slug") or None.
    Three queries whatever the number of lines.
    """
    if measure not in MEASURES:
        raise ValueError(measure)
    fields = ["id", "action_id", measure] + ([by] if by else [])
    rows = list(lines.values_list(*fields))
    by_action, by_line = _assignments({"action_id__in": lines.values("action_id")}, dimension_code)
    totals = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        line_id, action_id, amount = row[0], row[1], row[2] or Decimal("0.00")
        group = row[3] if by else None
        shares = by_line.get(line_id) or by_action.get(action_id)
        if not shares:
            totals[(group, UNCLASSIFIED)] += amount
            continue
        for code, part in split_amount(amount, shares):
            totals[(group, code)] += part
    return dict(totals)


def cross_cut(lines, *, row_dimension, col_dimension, measure, by=None):
    """Amounts by (row code, column code), each None when unclassified in that dimension;
    with ``by`` (a field path of the line), by (group, row code, column code).

    A line split in both dimensions is cut by the product of its shares, cents handed out
    so that every line's parts add up to the line. Four queries whatever the lines.
    """
    if measure not in MEASURES:
        raise ValueError(measure)
    fields = ["id", "action_id", measure] + ([by] if by else [])
    rows = list(lines.values_list(*fields))
    row_a, row_l = _assignments({"action_id__in": lines.values("action_id")}, row_dimension)
    col_a, col_l = _assignments({"action_id__in": lines.values("action_id")}, col_dimension)
    totals = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        line_id, action_id, amount = row[0], row[1], row[2] or Decimal("0.00")
        group = row[3] if by else None
        r_shares = row_l.get(line_id) or row_a.get(action_id) or [(None, Decimal("100"))]
        c_shares = col_l.get(line_id) or col_a.get(action_id) or [(None, Decimal("100"))]
        combined = [((r, c), rs * cs / 100) for r, rs in r_shares for c, cs in c_shares]
        for (r, c), part in split_amount(amount, combined):
            totals[(group, r, c) if by else (r, c)] += part
    return dict(totals)


def unclassified_share(lines, *, dimension_code, measure):
    """(unclassified amount, total amount) of ``lines`` in one dimension."""
    totals = cut(lines, dimension_code=dimension_code, measure=measure)
    total = sum(totals.values(), Decimal("0.00"))
    return totals.get((None, UNCLASSIFIED), Decimal("0.00")), total


def unclassified_lines(lines, dimension_code):
    """The lines with no effective code in a dimension (for the list a person reviews)."""
    effective = effective_classification(lines, dimension_code)
    missing = [line_id for line_id, shares in effective.items() if not shares]
    return lines.filter(id__in=missing)


# A code and its share as the export prints it ("ANZIANI 50"), on PostgreSQL.
PG_CODE_TEXT = "cc.code || ' ' || trim_scale(ca.share)::text"


class EffectiveCodes(Func):
    """A BudgetLine queryset's effective codes of a dimension as text, the line's own codes
    else its action's, code then share, by code: "ANZIANI 50;DISABILI 50" ('' when
    unclassified). One correlated subquery per source in the same statement: no query
    more, whatever the number of lines.

    ``grouped=True`` (on PostgreSQL; for queries over every line, the full CSV export): the
    codes pre-grouped once per line and once per action in two derived tables, LEFT JOINed
    (``core.derived.GroupedColumn``) instead of two subqueries run for each line. Same text.
    """

    output_field = TextField()

    def __init__(self, dimension_code="area_utenza", *, grouped=False):
        super().__init__(F("pk"), F("action_id"))
        self.dimension_code = dimension_code
        self.grouped = grouped

    @staticmethod
    def _codes_from():
        """FROM … WHERE of the assignments of one dimension (its code the first parameter),
        ready for one more condition: shared by the subqueries and the grouped tables."""
        a, c, d = (m._meta.db_table for m in (Assignment, Code, Dimension))
        # Table names come from the models, values are parameters: nothing from the user.
        return (" FROM " + a + " ca JOIN " + c + " cc ON cc.id = ca.code_id JOIN " + d
                + " cd ON cd.id = ca.dimension_id WHERE cd.code = %s AND ")

    def _grouped_sql(self, compiler):
        text = PG_CODE_TEXT
        name = "pz_" + re.sub(r"\W", "_", self.dimension_code)
        parts = []
        for suffix, key, cond, on in (
                ("_line", "ca.line_id", "ca.line_id IS NOT NULL", self.source_expressions[0]),
                ("_action", "ca.action_id", "ca.line_id IS NULL", self.source_expressions[1])):
            derived = ("SELECT " + key + " AS k, STRING_AGG(" + text + ", ';' ORDER BY cc.code)"
                       " AS v" + self._codes_from() + cond + " GROUP BY " + key)
            column = GroupedColumn(name + suffix, derived, [self.dimension_code], on,
                                   output_field=TextField())
            parts.append(compiler.compile(column)[0])
        return "COALESCE(" + parts[0] + ", " + parts[1] + ", '')", []

    def _sql(self, compiler, connection, postgresql):
        line_sql, line_params = compiler.compile(self.source_expressions[0])
        action_sql, action_params = compiler.compile(self.source_expressions[1])
        joins = self._codes_from()
        if postgresql:
            text = PG_CODE_TEXT
            parts = [("(SELECT STRING_AGG(" + text + ", ';' ORDER BY cc.code)" + joins  # noqa: S608
                      + cond + ")") for cond in (
                          "ca.line_id = " + line_sql,
                          "ca.action_id = " + action_sql + " AND ca.line_id IS NULL")]
        else:
            text = "cc.code || ' ' || printf('%%g', ca.share)"
            parts = [("(SELECT GROUP_CONCAT(t, ';') FROM (SELECT " + text + " AS t" + joins  # noqa: S608
                      + cond + " ORDER BY cc.code))") for cond in (
                          "ca.line_id = " + line_sql,
                          "ca.action_id = " + action_sql + " AND ca.line_id IS NULL")]
        sql = "COALESCE(" + parts[0] + ", " + parts[1] + ", '')"
        return sql, [self.dimension_code, *line_params, self.dimension_code, *action_params]

    def as_sql(self, compiler, connection, **extra):
        return self._sql(compiler, connection, postgresql=False)

    def as_postgresql(self, compiler, connection, **extra):
        if self.grouped:
            return self._grouped_sql(compiler)
        return self._sql(compiler, connection, postgresql=True)
