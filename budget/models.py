from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.fields import MoneyField
from core.freeze import CLOSING, CREATE, DELETE, VARIATION
from core.scoping import ScopedModel
from governance.models import Ambito, Deliberation, Organisation, SourceDocument
from objectives.models import PLAN_AMBITO, Action, Objective, OperatingPlan, ZonePlan


class FundingChannel(ScopedModel):
    """Canale di finanziamento / fondo (FNPS, FSR, FNA, FSOL, Comuni, progetti…)."""

    class Kind(models.TextChoices):
        STATE = "statale", "Statale"
        REGIONAL = "regionale", "Regionale"
        MUNICIPAL = "comunale", "Comunale"
        PROJECT = "progetto", "Progetti e bandi"
        OTHER = "altro", "Altro"

    class OverspendPolicy(models.TextChoices):
        WARN = "avvisa", "Avvisa"
        REFUSE = "rifiuta", "Rifiuta"

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="funding_channels")
    code = models.CharField("sigla", max_length=40)
    name = models.CharField("denominazione", max_length=250)
    kind = models.CharField("tipo", max_length=12, choices=Kind.choices, default=Kind.OTHER)
    restricted = models.BooleanField(
        "vincolato", default=False, help_text="Le risorse del fondo hanno destinazione vincolata."
    )
    description = models.TextField("descrizione", blank=True)
    overspend_policy = models.CharField(
        "spesa oltre il previsto",
        max_length=10,
        choices=OverspendPolicy.choices,
        default=OverspendPolicy.WARN,
        help_text="Cosa fare quando una spesa supera il preventivo della riga o le entrate "
        "del fondo: avvisare o rifiutare l'inserimento.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "canale di finanziamento"
        verbose_name_plural = "canali di finanziamento"
        ordering = ["ambito", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "code"], name="channel_unique_code")
        ]

    def __str__(self):
        return self.code

    @property
    def label(self):
        """The name people know: an acronym as it is (FNA, FSR), a code such as DOPO_DI_NOI
        replaced by the fund's name ("Dopo di Noi (L.112/2016)")."""
        return self.label_for(self.code, self.name)

    @staticmethod
    def label_for(code, name):
        """``label`` from a code and a name (rows read with ``values()``)."""
        if "_" in code or not code.isupper():
            return name or code
        return code


class ChannelReference(ScopedModel):
    """The legal act assigning a fund for a year (e.g. DGR n. XI/501 del 02/08/2018)."""

    scope_ambito = "channel__ambito"

    channel = models.ForeignKey(
        FundingChannel,
        verbose_name="canale di finanziamento",
        on_delete=models.CASCADE,
        related_name="legal_references",
    )
    year = models.PositiveSmallIntegerField("anno")
    reference = models.CharField("riferimento normativo", max_length=300)
    date = models.DateField("data", null=True, blank=True)
    amount = MoneyField("importo assegnato", null=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "riferimento normativo"
        verbose_name_plural = "riferimenti normativi"
        ordering = ["channel", "year"]

    def __str__(self):
        return f"{self.channel.label} {self.year}: {self.reference}"


class FundingAllocation(ScopedModel):
    """Entrate per canale: an amount a channel brings to a year's budget."""

    class Stage(models.TextChoices):
        PLANNED = "preventivo", "Preventivo"
        ACTUAL = "consuntivo", "Consuntivo"

    class Kind(models.TextChoices):
        SURPLUS = "avanzo", "Avanzo dell'anno precedente"
        INCOME = "entrata", "Entrata"
        NOT_APPLIED = "non_applicata", "Entrata non applicata"

    # Freeze rule: the accertate entrate (consuntivo) are recorded while the plan is approved;
    # the closing of the previous year adds its avanzo whatever this plan's state.
    plan_path = "operating_plan"
    approved_rows = {"stage": "consuntivo"}
    # (and keeps the carried entrate linked to their destination row).
    freeze_allowances = {CLOSING: {
        "bozza": (CREATE, "action", "destination_row"),
        "approvato": (CREATE, "action", "destination_row"),
    }}

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="allocations")
    zone_plan = models.ForeignKey(
        ZonePlan,
        verbose_name="piano di zona",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    operating_plan = models.ForeignKey(
        OperatingPlan,
        verbose_name="piano operativo",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    document = models.ForeignKey(
        SourceDocument,
        verbose_name="documento di origine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocations",
    )
    year = models.PositiveSmallIntegerField("anno")
    stage = models.CharField("fase", max_length=10, choices=Stage.choices, default=Stage.PLANNED)
    kind = models.CharField("tipo", max_length=14, choices=Kind.choices, default=Kind.INCOME)
    channel = models.ForeignKey(
        FundingChannel,
        verbose_name="canale",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    label = models.CharField("voce (come stampata)", max_length=300)
    group = models.CharField("raggruppamento", max_length=200, blank=True)
    restricted = models.BooleanField("vincolato", default=False)
    amount = MoneyField("importo")
    note = models.TextField("nota", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    # An "Avanzo gestionale N" entrata carries one row of the destination of year N's avanzo
    # and the action of this plan it was destined to (None: non vincolato or not yet chosen).
    action = models.ForeignKey(
        Action,
        verbose_name="azione destinataria",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surplus_allocations",
    )
    destination_row = models.ForeignKey(
        "SurplusDestinationRow",
        verbose_name="riga della destinazione dell'avanzo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocations",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "entrata per canale"
        verbose_name_plural = "entrate per canale"
        ordering = ["ambito", "year", "stage", "position"]
        indexes = [models.Index(fields=["ambito", "year", "stage"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_non_negative")
        ]

    def __str__(self):
        return f"{self.year} {self.label}"


class BudgetLine(ScopedModel):
    """Risorse: one line of an action's budget (voce, nota, preventivo, consuntivo)."""

    scope_ambito = "action__objective__" + PLAN_AMBITO
    # Freeze rule: while approved only the consuntivo is typed; the preventivo and new lines
    # come from a variation (budget.services.variation_*).
    plan_path = "action__objective__plan"
    approved_fields = ("consuntivo",)
    freeze_allowances = {VARIATION: {"approvato": ("preventivo", CREATE)}}

    action = models.ForeignKey(
        Action, verbose_name="azione", on_delete=models.CASCADE, related_name="lines"
    )
    item = models.CharField("voce", max_length=400, blank=True)
    note = models.CharField("nota (tipo di costo, fornitore)", max_length=300, blank=True)
    channel = models.ForeignKey(
        FundingChannel,
        verbose_name="canale di finanziamento",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    preventivo = MoneyField("preventivo")
    consuntivo = MoneyField(
        "consuntivo", null=True, help_text="Vuoto finché il consuntivo non è inserito."
    )
    source_note = models.TextField("nota sul documento originale", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "riga di budget"
        verbose_name_plural = "righe di budget"
        ordering = ["action", "position"]
        indexes = [
            # Totals of an action, objective or plan read the amounts from the index alone
            # (index-only scan): a page of 100 plans with totals no longer visits ~40,000
            # heap rows of a 2-million-line table.
            models.Index(
                fields=["action"], include=["preventivo", "consuntivo"],
                name="line_action_amounts",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(preventivo__gte=0), name="line_preventivo_gte_0"),
            models.CheckConstraint(
                condition=Q(consuntivo__isnull=True) | Q(consuntivo__gte=0),
                name="line_consuntivo_gte_0",
            ),
        ]

    def __str__(self):
        return self.item or "(voce senza descrizione)"


class Variation(ScopedModel):
    """Variazione di bilancio: a change to the preventivo of an approved plan, with its act."""

    scope_ambito = PLAN_AMBITO
    plan_path = "plan"
    freeze_allowances = {VARIATION: {"approvato": (CREATE,)}}

    plan = models.ForeignKey(
        OperatingPlan,
        verbose_name="piano operativo",
        on_delete=models.CASCADE,
        related_name="variations",
    )
    line = models.ForeignKey(
        BudgetLine,
        verbose_name="riga di budget",
        on_delete=models.CASCADE,
        related_name="variations",
    )
    subject = models.CharField("oggetto", max_length=500)
    previous_amount = MoneyField("preventivo prima della variazione")
    new_amount = MoneyField("preventivo dopo la variazione")
    reason = models.TextField("motivazione")
    deliberation = models.ForeignKey(
        Deliberation,
        verbose_name="atto di approvazione",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrata da",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("registrata il", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "variazione di bilancio"
        verbose_name_plural = "variazioni di bilancio"
        ordering = ["plan", "created_at", "pk"]

    def __str__(self):
        return self.subject

    @property
    def difference(self):
        return self.new_amount - self.previous_amount


class Surplus(ScopedModel):
    """Avanzo of a closed year by objective/action, vincolato or not."""

    scope_ambito = PLAN_AMBITO
    plan_path = "plan"
    freeze_allowances = {CLOSING: {"approvato": (CREATE, DELETE)}}

    plan = models.ForeignKey(
        OperatingPlan,
        verbose_name="piano operativo",
        on_delete=models.CASCADE,
        related_name="surplus",
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name="obiettivo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surplus",
    )
    action = models.ForeignKey(
        Action,
        verbose_name="azione",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surplus",
    )
    description = models.CharField("descrizione", max_length=400)
    channel = models.ForeignKey(
        FundingChannel,
        verbose_name="canale di finanziamento",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surplus",
    )
    restricted = models.BooleanField("vincolato", default=True)
    amount = MoneyField("importo")
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "avanzo"
        verbose_name_plural = "avanzi"
        ordering = ["plan", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="surplus_non_negative")
        ]

    def __str__(self):
        return self.description


class AgencyYearFigure(ScopedModel):
    """Revenues and costs of the managing agency by year (history for the charts)."""

    class Kind(models.TextChoices):
        REVENUE = "ricavi", "Ricavi"
        COST = "costi", "Costi"

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="agency_figures")
    organisation = models.ForeignKey(
        Organisation, verbose_name="ente", on_delete=models.CASCADE, related_name="year_figures"
    )
    year = models.PositiveSmallIntegerField("anno")
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    amount = MoneyField("importo")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ricavi e costi dell'ente gestore"
        verbose_name_plural = "ricavi e costi dell'ente gestore"
        ordering = ["ambito", "year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "kind"], name="agency_figure_unique"
            )
        ]

    def __str__(self):
        return f"{self.organisation} {self.year} {self.get_kind_display()}"


class SurplusDestination(ScopedModel):
    """Destinazione dell'avanzo: the Assemblea's decision on where a closed year's avanzo goes.

    A decision beside the computed proposal (``budget.surplus``), not a computation: its
    rows must add up to the avanzo di gestione to be approved, and the year closes only
    once it is approved. A destination loaded from a document (``from_document``) keeps
    the document's rows as printed, even when they do not add up.
    """

    scope_ambito = PLAN_AMBITO
    # Freeze rule: recorded while the plan is approved (before the closing); fixed once closed.
    plan_path = "plan"
    approved_rows = True

    class State(models.TextChoices):
        DRAFT = "bozza", "Bozza"
        APPROVED = "approvata", "Approvata"

    plan = models.OneToOneField(
        OperatingPlan,
        verbose_name="piano operativo chiuso",
        on_delete=models.CASCADE,
        related_name="surplus_destination",
    )
    state = models.CharField("stato", max_length=10, choices=State.choices, default=State.DRAFT)
    deliberation = models.ForeignKey(
        Deliberation,
        verbose_name="atto di approvazione",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_document = models.BooleanField(
        "caricata da un documento",
        default=False,
        help_text="Righe riportate come stampate nel documento di origine, anche se il loro "
        "totale differisce dall'avanzo di gestione.",
    )
    document = models.ForeignKey(
        SourceDocument,
        verbose_name="documento di origine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField("nota", blank=True)
    approved_at = models.DateTimeField("approvata il", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="approvata da",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "destinazione dell'avanzo"
        verbose_name_plural = "destinazioni dell'avanzo"
        ordering = ["plan"]

    def __str__(self):
        return f"Destinazione dell'avanzo {self.plan.year}"


class SurplusDestinationRow(ScopedModel):
    """One row of a destination: an amount, vincolato or not, from where to where, and why."""

    scope_ambito = "destination__" + PLAN_AMBITO
    plan_path = "destination__plan"
    approved_rows = True

    destination = models.ForeignKey(
        SurplusDestination,
        verbose_name="destinazione",
        on_delete=models.CASCADE,
        related_name="rows",
    )
    description = models.CharField("descrizione", max_length=400)
    amount = MoneyField("importo")
    restricted = models.BooleanField("vincolato", default=True)
    channel = models.ForeignKey(
        FundingChannel,
        verbose_name="fondo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="destination_rows",
        help_text="Vuoto: fondo indistinto.",
    )
    source_objective = models.ForeignKey(
        Objective,
        verbose_name="obiettivo di provenienza",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_action = models.ForeignKey(
        Action,
        verbose_name="azione di provenienza",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_action = models.ForeignKey(
        Action,
        verbose_name="azione destinataria (piano successivo)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="destined_surplus",
    )
    target_text = models.CharField(
        "destinazione (come indicata)",
        max_length=300,
        blank=True,
        help_text="La destinazione come scritta nell'atto, finché l'azione del piano "
        "successivo non esiste.",
    )
    reason = models.TextField("motivazione", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "riga della destinazione dell'avanzo"
        verbose_name_plural = "righe della destinazione dell'avanzo"
        ordering = ["destination", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="destination_row_positive"),
            models.CheckConstraint(
                condition=Q(restricted=True) | Q(target_action__isnull=True),
                name="destination_row_unrestricted_no_target",
            ),
        ]

    def __str__(self):
        return self.description
