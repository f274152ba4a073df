"""Reads on governance: the Comuni's spesa sociale, joined with population and classes.

``municipal_spending_summary(ambito=…, year=…)`` is the one place that computes the KPIs
of the Comuni's social spending (the page planning/views_spending.py, the API and the
"spesa-sociale" return read it); nothing is ever typed or hard-coded. A KPI the data
cannot support is refused with the reason, in Italian, naming what is missing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps

from .models import Municipality, MunicipalSpending, PopulationFigure, PrintedTotal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class SizeClass:
    """A class of Comune by resident population, as the Piano di Zona 2019-2020 (1.5)
    groups them: "> 5.000", "3.000 < 5.000", "1.000 < 3.000", "< 1.000"."""

    code: str  # as stored in Municipality.size_class (fixtures/FORMAT.md)
    label: str
    above: int  # more than this many inhabitants


SIZE_CLASSES = (
    SizeClass("> 5.000", "oltre 5.000 abitanti", 5000),
    SizeClass("> 3.000", "da 3.000 a 5.000 abitanti", 3000),
    SizeClass("> 1.000", "da 1.000 a 3.000 abitanti", 1000),
    SizeClass("< 1.000", "fino a 1.000 abitanti", 0),
)
_BY_CODE = {c.code: c for c in SIZE_CLASSES}
UNCLASSIFIED = SizeClass("", "classe non determinata (manca la popolazione)", -1)


def size_class_for(population):
    """The PdZ class of a Comune of ``population`` inhabitants (None: unknown)."""
    if population is None:
        return None
    for size_class in SIZE_CLASSES:
        if population > size_class.above:
            return size_class
    return SIZE_CLASSES[-1]


def class_of(municipality, population):
    """The class the Comune is registered in (as the PdZ prints it), else the one its
    population of the year gives; ``(class, derived)``."""
    registered = _BY_CODE.get((municipality.size_class or "").strip())
    if registered is not None:
        return registered, False
    derived = size_class_for(population)
    return (derived, True) if derived is not None else (UNCLASSIFIED, True)


def per_head(amount, population):
    if amount is None or not population:
        return None
    return (amount / Decimal(population)).quantize(CENT, rounding=ROUND_HALF_UP)


def share(part, whole):
    """``part`` as a percentage of ``whole``, two decimals."""
    if part is None or not whole:
        return None
    return (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """A computed KPI, or the reason it cannot be computed (``value`` None)."""

    value: Decimal | None
    missing: str = ""

    @property
    def ok(self):
        return self.value is not None


@dataclass
class SpendingRow:
    municipality: Municipality
    size_class: SizeClass
    class_derived: bool
    population: int | None
    spending: MunicipalSpending | None

    @property
    def amount(self):
        return self.spending.amount if self.spending else None

    @property
    def amount_single(self):
        return self.spending.amount_single if self.spending else None

    @property
    def amount_associated(self):
        return self.spending.amount_associated if self.spending else None

    @property
    def per_capita(self):
        """Computed: the Comune's spending over its residents of the same year."""
        return per_head(self.amount, self.population)

    @property
    def per_capita_printed(self):
        return self.spending.per_capita if self.spending else None

    @property
    def associated_share(self):
        return share(self.amount_associated, self.amount)


@dataclass
class ClassTotal:
    size_class: SizeClass
    rows: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.rows)

    @property
    def amount(self):
        """Sum of the class's Comuni; None when one of them has no figure for the year."""
        if any(r.spending is None for r in self.rows):
            return None
        return sum((r.amount for r in self.rows), ZERO)

    @property
    def population(self):
        if any(r.population is None for r in self.rows):
            return None
        return sum(r.population for r in self.rows)

    @property
    def per_capita(self):
        return per_head(self.amount, self.population)


@dataclass(frozen=True)
class Reconciliation:
    """A figure the source documents print, against the one computed from data."""

    label: str
    source: str
    printed: Decimal
    computed: Decimal | None
    unit: str  # "eur" or "pct"
    missing: str = ""

    @property
    def matches(self):
        if self.computed is None:
            return False
        places = CENT if self.unit == "eur" else Decimal(1)
        return self.computed.quantize(places, rounding=ROUND_HALF_UP) == self.printed.quantize(
            places, rounding=ROUND_HALF_UP)

    @property
    def difference(self):
        return None if self.computed is None else self.computed - self.printed


@dataclass
class SpendingSummary:
    """The Comuni's spesa sociale of one ambito and year.

    ``rows``: one per Comune of the ambito (in its order), with population of the same
    year, class, total, gestione singola / associata and computed per-head figure.
    ``classes``: the PdZ classes with their totals. KPIs (each a ``Figure``, value or the
    reason it is missing): ``total`` (spesa sociale del distretto), ``per_capita`` (total /
    residents of the year), ``associated_share`` (gestione associata / total, in %).
    ``amount_single`` / ``amount_associated``: sums over the Comuni that declared the split.
    ``reconciliations``: the printed figures of the seed documents for that year.
    """

    ambito: object
    year: int
    rows: list
    classes: list
    total: Figure
    per_capita: Figure
    associated_share: Figure
    amount_single: Decimal
    amount_associated: Decimal
    population: int | None
    reconciliations: list

    @property
    def recorded(self):
        return [r for r in self.rows if r.spending is not None]

    @property
    def recorded_total(self):
        """Sum of the Comuni that have a figure (the KPI ``total`` needs them all)."""
        return sum((r.amount for r in self.recorded), ZERO)

    @property
    def all_reconciled(self):
        """Every printed figure of the year equals the computed one."""
        return all(r.matches for r in self.reconciliations)

    @property
    def kpis(self):
        return [
            ("Spesa sociale del distretto", self.total, "eur"),
            ("Spesa sociale pro capite", self.per_capita, "eur"),
            ("Quota in gestione associata", self.associated_share, "pct"),
        ]

    def as_dict(self):
        """Plain data (Decimal kept) for the API and the returns."""
        return {
            "ambito": self.ambito.slug,
            "year": self.year,
            "rows": [{
                "municipality": r.municipality.pk, "name": r.municipality.name,
                "size_class": r.size_class.code, "size_class_label": r.size_class.label,
                "size_class_derived": r.class_derived, "population": r.population,
                "amount": r.amount, "amount_single": r.amount_single,
                "amount_associated": r.amount_associated, "per_capita": r.per_capita,
                "per_capita_printed": r.per_capita_printed,
            } for r in self.rows],
            "classes": [{
                "size_class": c.size_class.code, "label": c.size_class.label,
                "count": c.count, "amount": c.amount, "population": c.population,
                "per_capita": c.per_capita,
            } for c in self.classes],
            "totals": {"amount": self.total.value, "recorded_amount": self.recorded_total,
                       "amount_single": self.amount_single,
                       "amount_associated": self.amount_associated,
                       "population": self.population},
            "kpis": {
                name: {"value": figure.value, "missing": figure.missing}
                for name, figure in (("total", self.total), ("per_capita", self.per_capita),
                                     ("associated_share", self.associated_share))
            },
            "reconciliations": [{
                "label": r.label, "source": r.source, "printed": r.printed,
                "computed": r.computed, "unit": r.unit, "matches": r.matches,
                "missing": r.missing,
            } for r in self.reconciliations],
        }


def _names(rows, limit=5):
    names = [r.municipality.name for r in rows]
    shown = ", ".join(names[:limit])
    return f"{shown} e altri {len(names) - limit}" if len(names) > limit else shown


def _comuni(n):
    return "1 Comune" if n == 1 else f"{n} Comuni"


def _total_figure(ambito, year, rows):
    declared = ambito.declared_municipality_count
    if not rows:
        extra = f" (ne sono dichiarati {declared})" if declared else ""
        return Figure(None, (
            f"Spesa sociale {year} non calcolabile: nessun Comune dell'ambito è registrato"
            f"{extra}, quindi mancano i dati di spesa per Comune."))
    lacking = [r for r in rows if r.spending is None]
    if lacking:
        return Figure(None, (
            f"Spesa sociale {year} non calcolabile: manca la spesa sociale {year} di "
            f"{_comuni(len(lacking))} su {len(rows)} ({_names(lacking)})."))
    if declared and declared != len(rows):
        return Figure(None, (
            f"Spesa sociale {year} non calcolabile: i Comuni registrati sono {len(rows)}, "
            f"quelli dichiarati dall'ambito {declared}."))
    return Figure(sum((r.amount for r in rows), ZERO))


def _per_capita_figure(year, rows, total):
    if not total.ok:
        return Figure(None, total.missing.replace("Spesa sociale", "Pro capite", 1)), None
    lacking = [r for r in rows if r.population is None]
    if lacking:
        return Figure(None, (
            f"Pro capite {year} non calcolabile: manca la popolazione residente {year} di "
            f"{_comuni(len(lacking))} su {len(rows)} ({_names(lacking)}).")), None
    population = sum(r.population for r in rows)
    return Figure(per_head(total.value, population)), population


def _share_figure(year, rows, total):
    if not total.ok:
        return Figure(None, total.missing.replace("Spesa sociale", "Quota associata", 1))
    lacking = [r for r in rows if not r.spending.has_split]
    if lacking:
        return Figure(None, (
            f"Quota associata {year} non calcolabile: manca la ripartizione tra gestione "
            f"singola e associata di {_comuni(len(lacking))} su {len(rows)} "
            f"({_names(lacking)})."))
    associated = sum((r.amount_associated for r in rows), ZERO)
    return Figure(share(associated, total.value))


# The KPIs of the Consuntivo's table "ALCUNI INDICATORI" (indicators.Kpi, by name).
PRINTED_KPIS = (
    ("total", "Spesa sociale del distretto", "eur"),
    ("per_capita", "Spesa sociale pro-capite", "eur"),
    ("associated_share", "rispetto al totale della spesa sociale", "pct"),
)


def _reconciliations(ambito, year, summary_figures, classes):
    found = []
    printed = (
        PrintedTotal.objects.filter(document__ambito=ambito, scope__startswith=f"spending:{year}:")
        .select_related("document").order_by("document__year", "position")
    )
    by_class = {c.size_class.code: c for c in classes}
    for row in printed:
        parts = row.scope.split(":", 3)
        if parts[2] == "total":
            figure = summary_figures["total"]
            computed, missing = figure.value, figure.missing
        elif parts[2] == "size_class" and len(parts) == 4:
            size_class = by_class.get(parts[3])
            computed = size_class.amount if size_class else None
            missing = "" if computed is not None else (
                f"Classe {parts[3]}: mancano Comuni o dati di spesa {year}.")
        else:
            continue
        found.append(Reconciliation(row.label, row.document.title, row.printed, computed,
                                    "eur", missing))
    kpi_value = apps.get_model("indicators", "KpiValue")
    for value in kpi_value.objects.filter(kpi__ambito=ambito, year=year).select_related(
            "kpi__document"):
        for key, words, unit in PRINTED_KPIS:
            if words.casefold() in value.kpi.name.casefold():
                figure = summary_figures[key]
                source = value.kpi.document.title if value.kpi.document_id else ""
                found.append(Reconciliation(value.kpi.name, source, value.value,
                                            figure.value, unit, figure.missing))
                break
    return found


def municipal_spending_summary(*, ambito, year):
    """The Comuni's spesa sociale of ``ambito`` in ``year`` (a ``SpendingSummary``).

    Per Comune: population of the same year, PdZ class, total, gestione singola and
    associata, per-head figure computed (Decimal, cents, half up). KPIs:

    - ``total``: sum over every Comune of the ambito; refused if a Comune has no figure
      for the year, if no Comune is registered, or if fewer are registered than the
      ambito declares;
    - ``per_capita``: ``total`` / residents of the year; refused if a population is missing;
    - ``associated_share``: gestione associata / ``total`` × 100; refused if a Comune did
      not declare the split.

    A refused KPI has ``value`` None and ``missing`` the Italian reason (which data, which
    Comuni). Five queries whatever the number of Comuni.
    """
    municipalities = list(Municipality.objects.filter(ambito=ambito).order_by("position", "name"))
    spending = {
        s.municipality_id: s
        for s in MunicipalSpending.objects.filter(municipality__ambito=ambito, year=year)
    }
    population = dict(
        PopulationFigure.objects.filter(municipality__ambito=ambito, year=year)
        .values_list("municipality_id", "value")
    )
    rows = []
    for municipality in municipalities:
        people = population.get(municipality.pk)
        size_class, derived = class_of(municipality, people)
        rows.append(SpendingRow(municipality, size_class, derived, people,
                                spending.get(municipality.pk)))
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.size_class.code].append(row)
    order = [*SIZE_CLASSES, UNCLASSIFIED]
    classes = [ClassTotal(c, grouped[c.code]) for c in order if grouped.get(c.code)]
    total = _total_figure(ambito, year, rows)
    per_capita, people = _per_capita_figure(year, rows, total)
    associated_share = _share_figure(year, rows, total)
    split = [r for r in rows if r.spending is not None and r.spending.has_split]
    figures = {"total": total, "per_capita": per_capita, "associated_share": associated_share}
    return SpendingSummary(
        ambito=ambito, year=year, rows=rows, classes=classes, total=total,
        per_capita=per_capita, associated_share=associated_share,
        amount_single=sum((r.amount_single for r in split), ZERO),
        amount_associated=sum((r.amount_associated for r in split), ZERO),
        population=people,
        reconciliations=_reconciliations(ambito, year, figures, classes),
    )


def spending_years(*, ambito):
    """Years with spending of a Comune of ``ambito`` or a printed spending KPI, ascending."""
    years = set(
        MunicipalSpending.objects.filter(municipality__ambito=ambito)
        .values_list("year", flat=True).distinct()
    )
    kpi_value = apps.get_model("indicators", "KpiValue")
    for value in kpi_value.objects.filter(kpi__ambito=ambito).select_related("kpi"):
        if any(words.casefold() in value.kpi.name.casefold() for _, words, _ in PRINTED_KPIS):
            years.add(value.year)
    return sorted(years)


def spending_matrix(*, ambito):
    """Comuni × years: ``(years, rows)``, each row ``(municipality, [(amount, per_head)…])``
    with the per-head figure computed from the population of the same year (None if absent).
    Three queries."""
    municipalities = list(Municipality.objects.filter(ambito=ambito).order_by("position", "name"))
    amounts = {
        (m, y): a for m, y, a in MunicipalSpending.objects.filter(municipality__ambito=ambito)
        .values_list("municipality_id", "year", "amount")
    }
    years = sorted({y for _, y in amounts})
    people = {
        (m, y): v for m, y, v in PopulationFigure.objects.filter(
            municipality__ambito=ambito, year__in=years)
        .values_list("municipality_id", "year", "value")
    }
    rows = []
    for municipality in municipalities:
        cells = []
        for year in years:
            amount = amounts.get((municipality.pk, year))
            cells.append((amount, per_head(amount, people.get((municipality.pk, year)))))
        rows.append((municipality, cells))
    return years, rows
