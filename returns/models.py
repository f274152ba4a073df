"""Debiti informativi: the returns an ambito owes upward (ISTAT, FNPS, FNA, LEPS…).

A return is a declarative template (rows and columns from the classification dimensions,
the measure, the lines it covers, its checks) stored as a row, so that an ambito adds a
regional layout in the admin without code. A return that was sent is kept as sent.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from classification.models import Dimension
from core.scoping import ScopedModel
from governance.models import Ambito


class ReturnTemplate(ScopedModel):
    class Measure(models.TextChoices):
        PLANNED = "preventivo", "Preventivo"
        ACTUAL = "consuntivo", "Consuntivo"

    # An empty ambito is a national template that every ambito uses: the one scoped model
    # whose path may be empty. The API does not serve templates (tests/governance/test_scoping).
    national_when_empty = True
    ambito = models.ForeignKey(
        Ambito,
        verbose_name="ambito",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="return_templates",
        help_text="Vuoto: modello nazionale, disponibile a tutti gli ambiti.",
    )
    key = models.SlugField("codice", max_length=40)
    name = models.CharField("denominazione", max_length=200)
    recipient = models.CharField("destinatario", max_length=200, blank=True)
    layout_note = models.TextField(
        "tracciato", blank=True,
        help_text="A quale tracciato ufficiale corrisponde il modello, e fin dove.",
    )
    row_dimension = models.CharField("dimensione delle righe", max_length=40)
    column_dimension = models.CharField("dimensione delle colonne", max_length=40, blank=True)
    measure = models.CharField(
        "misura", max_length=10, choices=Measure.choices, default=Measure.ACTUAL
    )
    channels = models.JSONField(
        "canali di finanziamento", default=list, blank=True,
        help_text='Sigle dei canali delle righe incluse (es. ["FNA"]); vuoto: tutte le righe.',
    )
    checks = models.JSONField(
        "controlli", default=list, blank=True,
        help_text='Es. [{"kind": "min_share", "code": "MINORI", "threshold": "40"}] o '
        '[{"kind": "coverage"}].',
    )
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "modello di debito informativo"
        verbose_name_plural = "modelli di debito informativo"
        ordering = ["position", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "key"], name="returntemplate_unique_key_in_ambito"
            ),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(ambito__isnull=True),
                name="returntemplate_unique_national_key",
            ),
        ]

    def __str__(self):
        return self.name

    def unknown_dimensions(self):
        if any(c.get("kind") == "municipal_spending" for c in self.checks or []):
            return []  # rows are the Comuni of the ambito, not a classification
        wanted = [d for d in (self.row_dimension, self.column_dimension) if d]
        known = set(Dimension.objects.filter(code__in=wanted).values_list("code", flat=True))
        return [d for d in wanted if d not in known]

    def clean(self):
        unknown = self.unknown_dimensions()
        if unknown:
            raise ValidationError(
                f"Dimensione di classificazione sconosciuta: {', '.join(unknown)}."
            )


def _sent_path(instance, filename):
    return f"returns/{instance.ambito.slug}/{instance.year}/{filename}"


class SentReturn(ScopedModel):
    """A return as it was sent: its file, when and by whom. Never overwritten."""

    ambito = models.ForeignKey(
        Ambito, verbose_name="ambito", on_delete=models.PROTECT, related_name="sent_returns"
    )
    template = models.ForeignKey(
        ReturnTemplate, verbose_name="modello", on_delete=models.PROTECT, related_name="sent"
    )
    year = models.PositiveSmallIntegerField("anno")
    file = models.FileField("file", upload_to=_sent_path)
    sha256 = models.CharField("impronta SHA-256", max_length=64)
    grand_total = models.DecimalField("totale generale", max_digits=14, decimal_places=2)
    sent_at = models.DateTimeField("inviato il", auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="inviato da",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField("nota", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "debito informativo inviato"
        verbose_name_plural = "debiti informativi inviati"
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.template} {self.year} ({self.ambito})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Un debito informativo inviato non si modifica.")
        super().save(*args, **kwargs)

    save.alters_data = True
