from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.scoping import ScopedModel
from governance.models import Ambito, SourceDocument
from objectives.models import PLAN_AMBITO, Action, Objective

OBJECTIVE_AMBITO = "objective__" + PLAN_AMBITO


class Periodicity(models.TextChoices):
    QUARTERLY = "trimestrale", "Trimestrale"
    HALF_YEARLY = "semestrale", "Semestrale"
    YEARLY = "annuale", "Annuale"


class Indicator(ScopedModel):
    """Indicatore di esito of an objective (optionally of one of its actions)."""

    class Kind(models.TextChoices):
        COUNT = "count", "Numero"
        PERCENTAGE = "percentage", "Percentuale"
        DECIMAL = "decimal", "Valore decimale"
        CURRENCY = "currency", "Importo (€)"
        TEXT = "text", "Testo"
        BOOLEAN = "boolean", "Sì/No"

    scope_ambito = OBJECTIVE_AMBITO
    scope_objective = "objective"
    plan_path = "objective__plan"

    objective = models.ForeignKey(
        Objective, verbose_name="obiettivo", on_delete=models.CASCADE, related_name="indicators"
    )
    action = models.ForeignKey(
        Action,
        verbose_name="azione",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    table_label = models.CharField("tabella", max_length=300, blank=True)
    name = models.TextField("indicatore")
    kind = models.CharField("tipo", max_length=12, choices=Kind.choices, default=Kind.COUNT)
    target = models.TextField("valore atteso / range", blank=True)
    periodicity = models.CharField(
        "periodicità", max_length=12, choices=Periodicity.choices, default=Periodicity.QUARTERLY
    )
    note = models.TextField("nota", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicatore"
        verbose_name_plural = "indicatori"
        ordering = ["objective", "position"]

    def __str__(self):
        return self.name[:100]


class Measurement(ScopedModel):
    """Rilevazione: an indicator's value at a period end; N.D. is a state, not a blank."""

    class State(models.TextChoices):
        VALUE = "value", "Valore rilevato"
        NOT_AVAILABLE = "nd", "N.D. (non disponibile)"
        NOT_APPLICABLE = "not_applicable", "– (non rilevato nel periodo)"

    scope_ambito = "indicator__" + OBJECTIVE_AMBITO
    scope_objective = "indicator__objective"
    # Freeze rule: the quarterly rilevazioni are recorded while the plan is approved.
    plan_path = "indicator__objective__plan"
    approved_rows = True

    indicator = models.ForeignKey(
        Indicator, verbose_name="indicatore", on_delete=models.CASCADE, related_name="measurements"
    )
    period_end = models.DateField("rilevazione al")
    state = models.CharField("stato", max_length=16, choices=State.choices, default=State.VALUE)
    value = models.DecimalField("valore", max_digits=18, decimal_places=4, null=True, blank=True)
    text_value = models.TextField("valore testuale", blank=True)
    note = models.TextField("nota", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "rilevazione"
        verbose_name_plural = "rilevazioni"
        ordering = ["indicator", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"], name="measurement_one_per_period"
            ),
            models.CheckConstraint(
                condition=(
                    Q(state="value") & (Q(value__isnull=False) | ~Q(text_value=""))
                    | ~Q(state="value") & Q(value__isnull=True)
                ),
                name="measurement_value_matches_state",
                violation_error_message="Un valore rilevato richiede il valore; "
                "N.D. e «non rilevato» non ne hanno.",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} al {self.period_end:%d/%m/%Y}"


class Milestone(ScopedModel):
    """Obiettivo / scadenza / raggiunto Sì-No / note."""

    class Outcome(models.TextChoices):
        YES = "si", "Sì"
        NO = "no", "No"
        NOT_DUE = "nd", "– (non ancora valutabile)"

    scope_ambito = OBJECTIVE_AMBITO
    scope_objective = "objective"
    # Freeze rule: while approved only the outcome (raggiunto, note) is recorded.
    plan_path = "objective__plan"
    approved_fields = ("achieved", "note")

    objective = models.ForeignKey(
        Objective, verbose_name="obiettivo", on_delete=models.CASCADE, related_name="milestones"
    )
    action = models.ForeignKey(
        Action,
        verbose_name="azione",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    title = models.TextField("obiettivo")
    due_date = models.DateField("scadenza", null=True, blank=True)
    periodicity = models.CharField(
        "periodicità", max_length=12, choices=Periodicity.choices, blank=True
    )
    achieved = models.CharField(
        "obiettivo raggiunto", max_length=2, choices=Outcome.choices, blank=True
    )
    note = models.TextField("note", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "traguardo"
        verbose_name_plural = "traguardi (obiettivi con scadenza)"
        ordering = ["objective", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(periodicity=""),
                name="milestone_date_or_periodicity",
                violation_error_message="Indicare una scadenza oppure una periodicità, "
                "non entrambe.",
            )
        ]

    def __str__(self):
        return self.title[:100]


class EvaluationCriterion(ScopedModel):
    """Range di valutazione: what the plan sets as the year's measure of success."""

    scope_ambito = OBJECTIVE_AMBITO
    plan_path = "objective__plan"

    objective = models.ForeignKey(
        Objective,
        verbose_name="obiettivo",
        on_delete=models.CASCADE,
        related_name="evaluation_ranges",
    )
    text = models.TextField("range di valutazione")
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "range di valutazione"
        verbose_name_plural = "range di valutazione"
        ordering = ["objective", "position"]

    def __str__(self):
        return self.text[:100]


class Kpi(ScopedModel):
    """A yearly indicator of the whole ambito (e.g. spesa sociale pro-capite)."""

    class Unit(models.TextChoices):
        EURO = "eur", "€"
        PERCENT = "pct", "%"
        NUMBER = "number", "numero"

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="kpis")
    document = models.ForeignKey(
        SourceDocument,
        verbose_name="documento",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpis",
    )
    name = models.CharField("indicatore", max_length=300)
    unit = models.CharField("unità", max_length=8, choices=Unit.choices, default=Unit.NUMBER)
    note = models.TextField("nota (modalità di calcolo)", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicatore annuale (KPI)"
        verbose_name_plural = "indicatori annuali (KPI)"
        ordering = ["ambito", "position"]
        constraints = [models.UniqueConstraint(fields=["ambito", "name"], name="kpi_unique_name")]

    def __str__(self):
        return self.name


class KpiValue(ScopedModel):
    scope_ambito = "kpi__ambito"

    kpi = models.ForeignKey(
        Kpi, verbose_name="indicatore annuale", on_delete=models.CASCADE, related_name="values"
    )
    year = models.PositiveSmallIntegerField("anno")
    value = models.DecimalField("valore", max_digits=18, decimal_places=4)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "valore KPI"
        verbose_name_plural = "valori KPI"
        ordering = ["kpi", "year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "year"], name="kpi_one_per_year")]

    def __str__(self):
        return f"{self.kpi} {self.year}"
