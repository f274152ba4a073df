"""Builds a return from its template: the table, its totals, the unclassified money, the
reconciliation with the plan and the template's checks. Every amount comes from the
classification selectors; nothing is typed."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from budget.models import BudgetLine, FundingAllocation
from classification import selectors
from classification.models import Code, Dimension
from core.formatting import format_euro
from governance.models import Ambito
from objectives.models import OperatingPlan

from . import municipal
from .base import Check, ReturnError  # noqa: F401 (callers use builder.ReturnError)
from .models import ReturnTemplate

ZERO = Decimal("0.00")
UNCLASSIFIED_LABEL = "Spesa non classificata"
NO_LEPS_LABEL = "Spesa non riconducibile a un LEPS"
DEFAULT_MIN_SHARE = Decimal("40")
AMBITO_PATH = "action__objective__plan__zone_plan__ambito__slug"


@dataclass
class Row:
    code: str | None
    label: str
    values: list  # one Decimal per column (+ the unclassified column when there is one)
    total: Decimal
    ambito: str | None = None


@dataclass
class ReturnTable:
    template: ReturnTemplate
    year: int
    ambiti: list
    measure: str
    columns: list  # (code, label)
    rows: list
    column_totals: list
    grand_total: Decimal
    unclassified: Decimal
    plan_total: Decimal
    lines_total: Decimal
    by_ambito: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def unclassified_share(self):
        if not self.grand_total:
            return ZERO
        return (self.unclassified * 100 / self.grand_total).quantize(Decimal("0.01"))


def template_for(key, ambito=None):
    qs = ReturnTemplate.objects.filter(key=key)
    found = (qs.filter(ambito=ambito).first() if ambito is not None else None) or qs.filter(
        ambito__isnull=True
    ).first()
    if found is None:
        raise ReturnError(f"Modello di debito informativo «{key}» sconosciuto.")
    return found


def resolve_ambiti(text):
    """The ambiti named by ``text`` ("all" or "tutti": every ambito), by slug or name."""
    if text in ("all", "tutti"):
        found = list(Ambito.objects.order_by("slug"))
        if not found:
            raise ReturnError("Nessun ambito presente.")
        return found
    ambito = Ambito.objects.filter(slug=text).first() or Ambito.objects.filter(
        name__iexact=text
    ).first()
    if ambito is None:
        raise ReturnError(f"Ambito «{text}» sconosciuto.")
    return [ambito]


def _plans(ambiti, year, *, single):
    plans = list(OperatingPlan.objects.filter(zone_plan__ambito__in=ambiti, year=year)
                 .select_related("zone_plan__ambito"))
    if single and not plans:
        raise ReturnError(
            f"L'ambito «{ambiti[0].name}» non ha un Piano Operativo per l'anno {year}."
        )
    if not plans:
        raise ReturnError(f"Nessun ambito ha un Piano Operativo per l'anno {year}.")
    return plans


def _codes(dimension_code, year):
    return [(c.code, c.label) for c in selectors.codes_of(dimension_code, year=year)]


def build(template, *, ambiti, year):
    if municipal.is_municipal(template):
        return municipal.build(template, ambiti=ambiti, year=year)
    unknown = template.unknown_dimensions()
    if unknown:
        raise ReturnError(
            f"Il modello «{template.key}» usa una dimensione sconosciuta: {', '.join(unknown)}."
        )
    plans = _plans(ambiti, year, single=len(ambiti) == 1)
    measure = template.measure
    all_lines = BudgetLine.objects.filter(action__objective__plan__in=plans)
    lines = all_lines
    if template.channels:
        lines = selectors.plan_lines(plans=plans, channels=template.channels)
    row_codes = _codes(template.row_dimension, year)
    col_codes = _codes(template.column_dimension, year) if template.column_dimension else []
    coverage = any(c.get("kind") == "coverage" for c in template.checks or [])
    unclassified_label = NO_LEPS_LABEL if coverage else UNCLASSIFIED_LABEL

    if col_codes:
        cells = selectors.cross_cut(lines, row_dimension=template.row_dimension,
                                    col_dimension=template.column_dimension,
                                    measure=measure, by=AMBITO_PATH)
    else:
        cells = {(g, r, None): v for (g, r), v in selectors.cut(
            lines, dimension_code=template.row_dimension, measure=measure, by=AMBITO_PATH
        ).items()}
    has_col_gap = any(k[2] is None for k in cells if col_codes) if col_codes else False
    columns = list(col_codes) + ([(None, "Non classificata")] if has_col_gap else [])
    if not col_codes:
        columns = [(None, "Importo")]

    def table(groups):
        rows = []
        for r_code, r_label in list(row_codes) + [(None, unclassified_label)]:
            values = [sum((cells.get((g, r_code, c), ZERO) for g in groups), ZERO)
                      for c, _ in columns]
            rows.append(Row(r_code, r_label, values, sum(values, ZERO)))
        return rows

    slugs = sorted({p.zone_plan.ambito.slug for p in plans})
    rows = table(slugs)
    col_totals = [sum((r.values[i] for r in rows), ZERO) for i in range(len(columns))]
    grand = sum(col_totals, ZERO)
    by_ambito = []
    if len(slugs) > 1:
        for slug in slugs:
            for row in table([slug]):
                row.ambito = slug
                by_ambito.append(row)
    result = ReturnTable(
        template=template, year=year, ambiti=[p.zone_plan.ambito for p in plans],
        measure=measure, columns=columns, rows=rows, column_totals=col_totals,
        grand_total=grand, unclassified=rows[-1].total,
        plan_total=_sum(all_lines, measure), lines_total=_sum(lines, measure),
        by_ambito=by_ambito,
    )
    _reconcile(result)
    for check in template.checks or []:
        _run_check(result, check)
    for plan in plans:
        if measure == "consuntivo" and plan.state != OperatingPlan.State.CLOSED:
            result.notes.append(
                f"{plan.zone_plan.ambito.name}: il consuntivo {year} non è ancora chiuso."
            )
    return result


def _channel_income(result, channel):
    """The entrate of ``channel`` in the year for the return's ambiti (the consuntivo's
    accertate when recorded, else the preventivo's)."""
    rows = FundingAllocation.objects.filter(
        ambito__in=result.ambiti, year=result.year, channel__code=channel,
        kind=FundingAllocation.Kind.INCOME,
    )
    for stage in (FundingAllocation.Stage.ACTUAL, FundingAllocation.Stage.PLANNED):
        amounts = list(rows.filter(stage=stage).values_list("amount", flat=True))
        if amounts:
            return sum(amounts, ZERO)
    return None


def _sum(lines, measure):
    """Summed by the database (one row back, not every line's amount), to the cent."""
    total = lines.aggregate(total=Sum(measure))["total"]
    return ZERO if total is None else Decimal(total).quantize(ZERO)


def _reconcile(result):
    ok = result.grand_total == result.lines_total
    scope = ("del piano" if not result.template.channels
             else "delle righe dei canali " + ", ".join(c for c in result.template.channels if c))
    result.checks.append(Check(
        "Quadratura",
        ok,
        f"Totale generale {format_euro(result.grand_total)} = {result.measure} {scope} "
        f"{format_euro(result.lines_total)}" if ok else
        f"Totale generale {format_euro(result.grand_total)} diverso dal {result.measure} "
        f"{scope} {format_euro(result.lines_total)}",
    ))
    share = result.unclassified_share
    if any(c.get("kind") == "coverage" for c in result.template.checks or []):
        result.checks.append(Check(
            "Spesa non riconducibile a un LEPS", True,
            f"{format_euro(result.unclassified)}, {str(share).replace('.', ',')} % del totale",
        ))
        return
    result.checks.append(Check(
        "Spesa non classificata",
        share <= 5,
        f"{format_euro(result.unclassified)} non classificati, "
        f"{str(share).replace('.', ',')} % del totale (soglia 5 %)",
    ))


def _run_check(result, check):
    kind = check.get("kind")
    if kind == "min_share":
        code = check["code"]
        threshold = Decimal(str(check.get("threshold") or DEFAULT_MIN_SHARE))
        amount = next((r.total for r in result.rows if r.code == code), ZERO)
        label = next((r.label for r in result.rows if r.code == code), code)
        pct = str(threshold).replace(".", ",")
        channel = check.get("of_channel_income")
        income = _channel_income(result, channel) if channel else None
        if income:
            # The fund is not imputed to the lines: the spending of the area must reach
            # the minimum share of the fund's income of the year.
            minimum = (income * threshold / 100).quantize(Decimal("0.01"))
            ok = amount >= minimum
            share = None
            message = (f"{label}: {format_euro(amount)} di spesa contro il minimo del {pct} % "
                       f"delle entrate {channel} {result.year} ({format_euro(income)}): "
                       f"{format_euro(minimum)}")
        else:
            share = (amount * 100 / result.grand_total).quantize(Decimal("0.01")) \
                if result.grand_total else ZERO
            ok = share >= threshold
            minimum = None
            message = (f"{label}: {format_euro(amount)}, {str(share).replace('.', ',')} % "
                       f"del totale (minimo {pct} %)")
        result.checks.append(Check(
            "Quota minima", ok, message + ("" if ok else ": quota sotto il minimo"),
            figures={"code": code, "label": label, "amount": amount, "threshold": threshold,
                     "channel": channel if income else None, "income": income,
                     "minimum": minimum, "share": share}))
    elif kind == "coverage":
        covered = [r.label for r in result.rows if r.code and r.total > 0]
        uncovered = [r.label for r in result.rows if r.code and r.total <= 0]
        result.checks.append(Check(
            "LEPS coperti", True, f"{len(covered)}: " + ("; ".join(covered) or "nessuno"),
            figures={"codes": [r.code for r in result.rows if r.code and r.total > 0]}))
        result.checks.append(Check(
            "LEPS non coperti", not uncovered,
            f"{len(uncovered)}: " + ("; ".join(uncovered) or "nessuno"),
            figures={"codes": [r.code for r in result.rows if r.code and r.total <= 0]}))


def known_dimensions():
    return set(Dimension.objects.values_list("code", flat=True))


def code_labels(dimension_code):
    return dict(Code.objects.filter(dimension__code=dimension_code).values_list("code", "label"))
