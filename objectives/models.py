from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.freeze import APPROVAL, CLOSING
from core.scoping import ScopedModel
from governance.models import Ambito, Deliberation, Organisation, SourceDocument

PLAN_AMBITO = "plan__zone_plan__ambito"


class ZonePlan(ScopedModel):
    """Piano di Zona: the triennial plan (its effective period may differ from the cycle)."""

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="zone_plans")
    title = models.CharField("titolo", max_length=250)
    start_year = models.PositiveSmallIntegerField("anno di inizio")
    end_year = models.PositiveSmallIntegerField("anno di fine")
    nominal_start_year = models.PositiveSmallIntegerField(
        "inizio del ciclo regionale", null=True, blank=True
    )
    nominal_end_year = models.PositiveSmallIntegerField(
        "fine del ciclo regionale", null=True, blank=True
    )
    approved_on = models.DateField("approvato il", null=True, blank=True)
    approval = models.ForeignKey(
        Deliberation,
        verbose_name="atto di approvazione",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField("descrizione", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "Piano di Zona"
        verbose_name_plural = "Piani di Zona"
        ordering = ["ambito", "start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="zoneplan_period_ordered"
            ),
            models.UniqueConstraint(
                fields=["ambito", "start_year", "end_year"], name="zoneplan_unique_period"
            ),
        ]

    def __str__(self):
        return self.title

    def covers(self, year):
        return self.start_year <= year <= self.end_year


class Area(ScopedModel):
    """Macro-area / area di policy of a Piano di Zona."""

    scope_ambito = "zone_plan__ambito"

    zone_plan = models.ForeignKey(
        ZonePlan, verbose_name="piano di zona", on_delete=models.CASCADE, related_name="areas"
    )
    code = models.CharField("numero", max_length=20, blank=True)
    name = models.CharField("denominazione", max_length=250)
    description = models.TextField("descrizione", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "area"
        verbose_name_plural = "macro-aree e aree di policy"
        ordering = ["zone_plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["zone_plan", "name"], name="area_unique_name")
        ]

    def __str__(self):
        return f"{self.code} {self.name}".strip()


class PolicyGoal(ScopedModel):
    """An objective the Piano di Zona sets for an area over its period."""

    scope_ambito = "area__zone_plan__ambito"

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="goals")
    title = models.TextField("obiettivo")
    description = models.TextField("descrizione", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "obiettivo di area"
        verbose_name_plural = "obiettivi di area"
        ordering = ["area", "position"]

    def __str__(self):
        return self.title[:80]


class OperatingPlan(ScopedModel):
    """Piano Operativo: one year of a Piano di Zona."""

    class State(models.TextChoices):
        DRAFT = "bozza", "Bozza"
        APPROVED = "approvato", "Approvato"
        CLOSED = "chiuso", "Chiuso (consuntivo)"

    class Numbering(models.TextChoices):
        PLAN = "plan", "Azioni numerate nell'intero piano"
        OBJECTIVE = "objective", "Azioni numerate per obiettivo"

    scope_ambito = "zone_plan__ambito"
    # The freeze rule (objectives/freeze.py): the plan itself; its state moves only through
    # plan_approve and year_close.
    plan_path = ""
    freeze_allowances = {
        APPROVAL: {"bozza": ("state", "approval", "funding_shortfall_note")},
        CLOSING: {"approvato": ("state", "closing")},
    }

    zone_plan = models.ForeignKey(
        ZonePlan,
        verbose_name="piano di zona",
        on_delete=models.PROTECT,
        related_name="operating_plans",
    )
    year = models.PositiveSmallIntegerField("anno")
    title = models.CharField("titolo", max_length=250)
    state = models.CharField("stato", max_length=10, choices=State.choices, default=State.DRAFT)
    action_numbering = models.CharField(
        "numerazione azioni", max_length=10, choices=Numbering.choices, default=Numbering.PLAN
    )
    approval = models.ForeignKey(
        Deliberation,
        verbose_name="delibera di approvazione",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closing = models.ForeignKey(
        Deliberation,
        verbose_name="delibera di approvazione del consuntivo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    funding_shortfall_note = models.TextField(
        "scopertura dichiarata",
        blank=True,
        help_text="Come si copre la parte del preventivo che le entrate non coprono "
        "(richiesta per approvare un piano non coperto).",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "Piano Operativo"
        verbose_name_plural = "Piani Operativi"
        ordering = ["zone_plan__ambito", "year"]
        constraints = [
            models.UniqueConstraint(fields=["zone_plan", "year"], name="operatingplan_one_per_year")
        ]

    def __str__(self):
        return self.title

    @property
    def ambito(self):
        return self.zone_plan.ambito

    @property
    def is_frozen(self):
        return self.state != self.State.DRAFT

    def clean(self):
        if self.zone_plan_id and not self.zone_plan.covers(self.year):
            raise ValidationError(
                {"year": f"L'anno {self.year} è fuori dal periodo del {self.zone_plan}."}
            )


class Objective(ScopedModel):
    scope_ambito = PLAN_AMBITO
    plan_path = "plan"

    plan = models.ForeignKey(
        OperatingPlan,
        verbose_name="piano operativo",
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives"
    )
    number = models.PositiveSmallIntegerField("numero")
    code = models.CharField("codice", max_length=20, blank=True)
    title = models.CharField("titolo", max_length=400)
    short_title = models.CharField("titolo breve", max_length=200, blank=True)
    description = models.TextField("descrizione", blank=True)
    triennial_goal = models.TextField("obiettivo del triennio", blank=True)
    activities = models.JSONField("azioni dell'anno", default=list, blank=True)
    timing = models.TextField("tempi", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "obiettivo"
        verbose_name_plural = "obiettivi"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="objective_unique_number")
        ]

    def __str__(self):
        return f"Obiettivo {self.number}: {self.short_title or self.title}"


class Action(ScopedModel):
    """Azione: the unit budget lines hang on."""

    scope_ambito = "objective__" + PLAN_AMBITO
    plan_path = "objective__plan"

    objective = models.ForeignKey(
        Objective, verbose_name="obiettivo", on_delete=models.CASCADE, related_name="actions"
    )
    number = models.PositiveSmallIntegerField("numero")
    title = models.CharField("titolo", max_length=400)
    description = models.TextField("descrizione", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "azione"
        verbose_name_plural = "azioni"
        ordering = ["objective", "number"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "number"], name="action_unique_number")
        ]

    def __str__(self):
        return f"Azione {self.number}: {self.title}"


class Referent(ScopedModel):
    scope_ambito = "objective__" + PLAN_AMBITO
    plan_path = "objective__plan"
    # The login linked to a referente is access control, not the plan's content.
    always_editable = ("user",)

    objective = models.ForeignKey(
        Objective, verbose_name="obiettivo", on_delete=models.CASCADE, related_name="referents"
    )
    name = models.CharField("nominativo", max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="ente",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referents",
    )
    organisation_label = models.CharField(
        "per (come indicato nel piano)", max_length=300, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utente",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referent_of",
    )
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "referente"
        verbose_name_plural = "referenti"
        ordering = ["objective", "position"]

    def __str__(self):
        return self.name


class Section(ScopedModel):
    """Narrative text the printed document carries between its tables (sanitised markdown)."""

    scope_ambito = "document__ambito"
    plan_path = "objective__plan"  # a section about an objective belongs to its plan

    document = models.ForeignKey(
        SourceDocument, verbose_name="documento", on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField("codice", max_length=150)
    title = models.CharField("titolo", max_length=400)
    level = models.PositiveSmallIntegerField("livello", default=1)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="sections"
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name="obiettivo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sections",
    )
    body = models.TextField("testo (markdown)", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "sezione di testo"
        verbose_name_plural = "sezioni di testo"
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="section_unique_key")
        ]

    def __str__(self):
        return self.title


class DataTable(ScopedModel):
    """A table the document prints that no other model holds: typed cells (objectives.tables)."""

    scope_ambito = "document__ambito"
    plan_path = "section__objective__plan"

    document = models.ForeignKey(
        SourceDocument, verbose_name="documento", on_delete=models.CASCADE, related_name="tables"
    )
    section = models.ForeignKey(
        Section,
        verbose_name="sezione",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tables",
    )
    section_label = models.CharField("sezione", max_length=200, blank=True)
    key = models.SlugField("codice", max_length=150)
    number = models.CharField("numero", max_length=40, blank=True)
    title = models.CharField("titolo", max_length=400, blank=True)
    columns = models.JSONField("colonne", default=list)
    # One kind a column (objectives.tables.KINDS): numeric cells hold plain decimals.
    kinds = models.JSONField("tipi delle colonne", default=list, blank=True)
    rows = models.JSONField("righe", default=list)
    # Cells computed from others (totals, Δ) or corrected: objectives.tables.evaluate.
    rules = models.JSONField("celle calcolate", default=list, blank=True)
    note = models.TextField("nota", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tabella"
        verbose_name_plural = "tabelle"
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="datatable_unique_key")
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip() or self.key
