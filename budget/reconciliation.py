"""Printed totals of the source documents against the sums of their lines.

Each PrintedTotal names a ``scope`` (see fixtures/FORMAT.md); this module
computes the same figure from the data and lists where the two differ.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from budget import selectors as budget_selectors
from budget.models import BudgetLine, SurplusDestinationRow
from governance.models import MunicipalSpending, PopulationFigure, PrintedTotal, SourceDocument
from objectives import tables
from objectives.models import DataTable, OperatingPlan


class UnknownScope(ValueError):
    pass


@dataclass(frozen=True)
class Difference:
    document: SourceDocument
    label: str
    scope: str
    printed: Decimal
    computed: Decimal
    note: str = ""  # why the document printed another figure

    @property
    def difference(self):
        return self.printed - self.computed

    @property
    def is_money(self):
        """A stored table's cell (``table:`` scope) is a count or a share, not euro."""
        return not self.scope.startswith("table:")


def _plan(document):
    plan = OperatingPlan.objects.filter(
        zone_plan__ambito=document.ambito, year=document.year
    ).first()
    if plan is None:
        raise UnknownScope(f"nessun piano operativo {document.year} per {document.ambito}")
    return plan


def _lines_total(lines, stage):
    return budget_selectors.line_totals(lines)[stage]


def compute(document, scope):
    """The figure the data gives for ``scope`` within ``document``'s ambito."""
    parts = scope.split(":")
    head = parts[0]
    ambito = document.ambito
    if head == "objective" and len(parts) == 3:
        lines = BudgetLine.objects.filter(
            action__objective__plan=_plan(document), action__objective__number=int(parts[1])
        )
        return _lines_total(lines, parts[2])
    if head == "action" and len(parts) == 4:
        lines = BudgetLine.objects.filter(
            action__objective__plan=_plan(document),
            action__objective__number=int(parts[1]),
            action__number=int(parts[2]),
        )
        return _lines_total(lines, parts[3])
    if head == "line" and len(parts) == 5:  # line K (1st, 2nd… in order) of action M of N
        lines = list(BudgetLine.objects.filter(
            action__objective__plan=_plan(document), action__objective__number=int(parts[1]),
            action__number=int(parts[2]),
        ).order_by("position", "pk"))
        index = int(parts[3]) - 1
        if not 0 <= index < len(lines):
            raise UnknownScope(f"riga di bilancio inesistente: {scope!r}")
        total = _lines_total(BudgetLine.objects.filter(pk=lines[index].pk), parts[4])
        return (total or Decimal("0")).quantize(Decimal("0.01"))
    if head == "plan" and len(parts) == 2:
        return budget_selectors.plan_totals(plan=_plan(document))[parts[1]]
    if head == "allocations" and len(parts) >= 4:
        year, stage, what = int(parts[1]), parts[2], parts[3]
        if what == "group":
            groups = budget_selectors.allocation_group_totals(ambito=ambito, year=year, stage=stage)
            return groups.get(":".join(parts[4:]), Decimal("0.00"))
        totals = budget_selectors.allocation_totals(ambito=ambito, year=year, stage=stage)
        if what == "avanzo" and len(parts) == 5:
            return totals[f"avanzo_{parts[4]}"]
        if what in totals:
            return totals[what]
    if head == "result" and len(parts) == 2:
        year = int(parts[1])
        income = budget_selectors.allocation_totals(ambito=ambito, year=year, stage="consuntivo")
        spent = budget_selectors.plan_totals(plan=_plan(document))["consuntivo"]
        return income["budget"] - spent
    if head == "surplus" and len(parts) == 3:
        return budget_selectors.surplus_totals(plan=_plan(document))[parts[2]]
    if head == "destination" and len(parts) == 3 and parts[2] in DESTINATION_TOTALS:
        return _destination_total(ambito, int(parts[1]), parts[2])
    if head == "table" and len(parts) == 4:
        return _table_cell(document, parts[1], int(parts[2]), int(parts[3]))
    if head in ("population", "spending") and len(parts) >= 3:
        return _territory_total(ambito, head, int(parts[1]), parts[2], ":".join(parts[3:]))
    raise UnknownScope(f"riferimento non riconosciuto: {scope!r}")


def _table_cell(document, key, row, column):
    """A computed cell of one of the document's tables (objectives.tables rules)."""
    table = DataTable.objects.filter(document=document, key=key).first()
    if table is None:
        raise UnknownScope(f"tabella sconosciuta: {key!r}")
    try:
        value = tables.value_at(table, row, column)
    except IndexError:
        raise UnknownScope(f"cella fuori dalla tabella {key!r}: {row}, {column}") from None
    return Decimal("0.00") if value is None else value


DESTINATION_TOTALS = {"total": {}, "restricted": {"restricted": True},
                      "unrestricted": {"restricted": False}}


def _destination_total(ambito, year, what):
    """Rows of the destination of ``year``'s avanzo (Destinazione dell'avanzo)."""
    rows = SurplusDestinationRow.objects.filter(
        destination__plan__zone_plan__ambito=ambito, destination__plan__year=year,
        **DESTINATION_TOTALS[what],
    )
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def _territory_total(ambito, head, year, by, name):
    if head == "population":
        rows, field, prefix = PopulationFigure.objects, "value", "municipality__"
    else:
        rows, field, prefix = MunicipalSpending.objects, "amount", "municipality__"
    rows = rows.filter(**{f"{prefix}ambito": ambito, "year": year})
    if by == "sub_ambito":
        rows = rows.filter(**{f"{prefix}sub_ambito__name": name})
    elif by == "size_class":
        rows = rows.filter(**{f"{prefix}size_class": name})
    elif by == "list":  # a subtotal the document prints for a named group of Comuni
        rows = rows.filter(**{f"{prefix}name__in": name.split("|")})
    elif by != "total":
        raise UnknownScope(f"raggruppamento non riconosciuto: {by!r}")
    total = rows.aggregate(total=Sum(field))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def reconcile(documents=None):
    """Every printed total whose figure differs from the sum of its lines."""
    totals = PrintedTotal.objects.select_related("document__ambito").order_by(
        "document__ambito__name", "document__year", "position"
    )
    if documents is not None:
        totals = totals.filter(document__in=documents)
    differences = []
    for total in totals:
        computed = compute(total.document, total.scope)
        if computed != total.printed:
            differences.append(
                Difference(total.document, total.label, total.scope, total.printed, computed,
                           total.note)
            )
    return differences
