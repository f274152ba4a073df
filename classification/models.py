"""Classification of the money: reference dimensions and codes, and what each action or
budget line is classified as (an action's codes, a line's override, a split by percentage).

Dimensions and codes are reference data shared by every ambito (loaded from the reviewed
fixture ``classification/fixtures/dimensions.json``, extended by superusers in the admin).
Assignments belong to an ambito through their action.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from budget.models import BudgetLine
from core.scoping import ScopedModel
from objectives.models import PLAN_AMBITO, Action

HUNDRED = Decimal("100.00")


class Dimension(models.Model):
    """A way of cutting the money (area di utenza, intervento, LEPS…)."""

    code = models.SlugField("codice", max_length=40, unique=True)
    name = models.CharField("denominazione", max_length=200)
    description = models.TextField("descrizione", blank=True)
    source = models.TextField(
        "fonte ufficiale", blank=True, help_text="Atto o documento da cui è tratto l'elenco."
    )
    splittable = models.BooleanField(
        "ripartibile in percentuale",
        default=False,
        help_text="Una riga può essere ripartita fra più codici (la somma fa 100 %).",
    )
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "dimensione di classificazione"
        verbose_name_plural = "dimensioni di classificazione"
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class Code(models.Model):
    """One code of a dimension, valid over a span of years."""

    dimension = models.ForeignKey(
        Dimension, verbose_name="dimensione", on_delete=models.PROTECT, related_name="codes"
    )
    code = models.CharField("codice", max_length=40)
    label = models.CharField("etichetta", max_length=300)
    parent = models.ForeignKey(
        "self",
        verbose_name="codice superiore",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from_year = models.PositiveSmallIntegerField("valido dall'anno", null=True, blank=True)
    valid_to_year = models.PositiveSmallIntegerField("valido fino all'anno", null=True, blank=True)
    note = models.TextField("nota", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "codice di classificazione"
        verbose_name_plural = "codici di classificazione"
        ordering = ["dimension", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="code_unique_in_dimension"),
            models.CheckConstraint(
                condition=Q(valid_to_year__isnull=True)
                | Q(valid_from_year__isnull=True)
                | Q(valid_to_year__gte=models.F("valid_from_year")),
                name="code_validity_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"

    def valid_in(self, year):
        return (self.valid_from_year is None or self.valid_from_year <= year) and (
            self.valid_to_year is None or year <= self.valid_to_year
        )


class Assignment(ScopedModel):
    """A code given to an action (``line`` empty) or to one of its lines (an override).

    Within one target and one dimension the shares add up to 100 % (services check it).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposta", "Proposta"
        CONFIRMED = "confermata", "Confermata"

    scope_ambito = "action__objective__" + PLAN_AMBITO
    # Not frozen with its plan (no plan_path): the classification serves the returns owed
    # after the year is closed, and correcting it changes no figure the plan approved.
    freezes_with_plan = False

    action = models.ForeignKey(
        Action, verbose_name="azione", on_delete=models.CASCADE, related_name="classifications"
    )
    line = models.ForeignKey(
        BudgetLine,
        verbose_name="riga di budget",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="classifications",
        help_text="Vuota: la classificazione vale per l'intera azione.",
    )
    dimension = models.ForeignKey(
        Dimension, verbose_name="dimensione", on_delete=models.PROTECT, related_name="+"
    )
    code = models.ForeignKey(
        Code, verbose_name="codice", on_delete=models.PROTECT, related_name="assignments"
    )
    share = models.DecimalField(
        "quota (%)",
        max_digits=5,
        decimal_places=2,
        default=HUNDRED,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(HUNDRED)],
    )
    status = models.CharField(
        "stato", max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    reason = models.TextField("motivazione", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "classificazione"
        verbose_name_plural = "classificazioni"
        ordering = ["action", "line", "dimension", "code"]
        indexes = [models.Index(fields=["action", "dimension"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=100), name="assignment_share_range"
            ),
            models.UniqueConstraint(
                fields=["action", "dimension", "code"],
                condition=Q(line__isnull=True),
                name="assignment_unique_on_action",
            ),
            models.UniqueConstraint(
                fields=["line", "dimension", "code"],
                condition=Q(line__isnull=False),
                name="assignment_unique_on_line",
            ),
        ]

    def clean(self):
        if self.code_id and self.dimension_id and self.code.dimension_id != self.dimension_id:
            raise ValidationError({"code": "Il codice non appartiene alla dimensione scelta."})
        if self.line_id and self.action_id and self.line.action_id != self.action_id:
            raise ValidationError({"line": "La riga non appartiene all'azione."})

    def __str__(self):
        target = self.line or self.action
        return f"{target} → {self.code} ({self.share} %)"
