from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.fields import MoneyField
from core.roles import Role
from core.scoping import ScopedModel


class Ambito(ScopedModel):
    """Ambito territoriale / distrettuale: the unit every plan and user belongs to."""

    scope_ambito = "pk"

    slug = models.SlugField("codice", max_length=60, unique=True)
    name = models.CharField("denominazione", max_length=200, unique=True)
    region = models.CharField("regione", max_length=100, blank=True)
    ente_capofila = models.ForeignKey(
        "Organisation",
        verbose_name="ente capofila",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declared_municipality_count = models.PositiveIntegerField(
        "numero di Comuni dichiarato", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ambito"
        verbose_name_plural = "ambiti"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SubAmbito(ScopedModel):
    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="sub_ambiti")
    name = models.CharField("denominazione", max_length=200)
    code = models.CharField("codice", max_length=40, blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "sub-ambito"
        verbose_name_plural = "sub-ambiti"
        ordering = ["ambito", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "name"], name="subambito_unique_name")
        ]

    def __str__(self):
        return self.name


class Municipality(ScopedModel):
    """Comune, member of an Ambito (and possibly of a sub-ambito)."""

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="municipalities")
    sub_ambito = models.ForeignKey(
        SubAmbito,
        verbose_name="sub-ambito",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="municipalities",
    )
    name = models.CharField("denominazione", max_length=200)
    aliases = models.JSONField("altre grafie", default=list, blank=True)
    size_class = models.CharField("classe demografica", max_length=40, blank=True)
    istat_code = models.CharField("codice ISTAT", max_length=6, blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "Comune"
        verbose_name_plural = "Comuni"
        ordering = ["ambito", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "name"], name="municipality_unique_name")
        ]

    def __str__(self):
        return self.name


class PopulationFigure(ScopedModel):
    scope_ambito = "municipality__ambito"

    municipality = models.ForeignKey(
        Municipality, verbose_name="Comune", on_delete=models.CASCADE, related_name="population"
    )
    year = models.PositiveSmallIntegerField("anno")
    value = models.PositiveIntegerField("popolazione residente")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "popolazione"
        verbose_name_plural = "popolazione per anno"
        ordering = ["municipality", "year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="population_one_per_year")
        ]

    def __str__(self):
        return f"{self.municipality} {self.year}: {self.value}"


class MunicipalSpending(ScopedModel):
    """Spesa sociale of a Comune in a year: the total and, when the Comune declared it, its
    split between gestione singola (spent by the Comune itself) and gestione associata
    (transferred to the ambito's ente gestore).

    ``amount`` is always the total (the ISTAT figure the seeds print); the split is either
    both parts or neither, and then adds up to ``amount``. ``per_capita`` is the per-head
    figure as the source printed it, a note for reconciliation: the per-head figures of the
    app are computed from the population (governance/selectors.py), never typed.
    """

    scope_ambito = "municipality__ambito"

    municipality = models.ForeignKey(
        Municipality, verbose_name="Comune", on_delete=models.CASCADE, related_name="spending"
    )
    year = models.PositiveSmallIntegerField("anno")
    amount = MoneyField("spesa sociale (€)")
    amount_single = MoneyField("di cui in gestione singola (€)", null=True)
    amount_associated = MoneyField("di cui in gestione associata (€)", null=True)
    per_capita = MoneyField("pro capite come stampato dalla fonte (€)", null=True)
    source = models.CharField("fonte", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "spesa sociale comunale"
        verbose_name_plural = "spesa sociale comunale"
        ordering = ["municipality", "year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="spending_one_per_year"),
            models.CheckConstraint(
                condition=Q(amount_single__isnull=True, amount_associated__isnull=True)
                | Q(amount_single__isnull=False, amount_associated__isnull=False,
                    amount=models.F("amount_single") + models.F("amount_associated")),
                name="spending_split_adds_up",
                violation_error_message="Gestione singola e associata vanno indicate entrambe "
                "(o nessuna delle due) e la loro somma deve essere la spesa totale.",
            ),
        ]

    @property
    def has_split(self):
        return self.amount_single is not None and self.amount_associated is not None

    def __str__(self):
        return f"{self.municipality} {self.year}"


class Organisation(ScopedModel):
    class Kind(models.TextChoices):
        CAPOFILA = "capofila", "Ente capofila"
        MANAGER = "ente_gestore", "Ente gestore (azienda speciale consortile)"
        ATS = "ats", "ATS"
        ASST = "asst", "ASST"
        MUNICIPALITY = "comune", "Comune"
        THIRD_SECTOR = "terzo_settore", "Terzo Settore"
        PROVINCE = "provincia", "Provincia"
        REGION = "regione", "Regione"
        OTHER = "altro", "Altro"

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField("denominazione", max_length=250)
    short_name = models.CharField("sigla", max_length=40, blank=True)
    kind = models.CharField("tipo", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ente / organizzazione"
        verbose_name_plural = "enti e organizzazioni"
        ordering = ["ambito", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "name"], name="organisation_unique_name")
        ]

    def __str__(self):
        return self.name


class Body(ScopedModel):
    """Governance body: Assemblea dei Sindaci, Ufficio di Piano, tavoli, CdA…"""

    class Kind(models.TextChoices):
        MAYORS = "assemblea_sindaci", "Assemblea dei Sindaci"
        PLANNING_OFFICE = "ufficio_piano", "Ufficio di Piano"
        TECHNICAL_TABLE = "tavolo_tecnico", "Tavolo tecnico"
        EXECUTIVE = "comitato_ristretto", "Comitato ristretto"
        BOARD = "cda", "Consiglio di Amministrazione"
        SHAREHOLDERS = "assemblea_consortile", "Assemblea consortile"
        STEERING = "cabina_regia", "Cabina di regia"
        OTHER = "altro", "Altro"

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="bodies")
    name = models.CharField("denominazione", max_length=250)
    kind = models.CharField("tipo", max_length=30, choices=Kind.choices, default=Kind.OTHER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="ente",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bodies",
    )
    description = models.TextField("composizione e compiti", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "organismo"
        verbose_name_plural = "organismi di governance"
        ordering = ["ambito", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["ambito", "name"], name="body_unique_name")]

    def __str__(self):
        return self.name


class BodyMember(ScopedModel):
    scope_ambito = "body__ambito"

    body = models.ForeignKey(
        Body, verbose_name="organismo", on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField("nominativo", max_length=200)
    role = models.CharField("carica", max_length=200, blank=True)
    represents = models.CharField("in rappresentanza di", max_length=300, blank=True)
    start_date = models.DateField("dal", null=True, blank=True)
    end_date = models.DateField("al", null=True, blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "componente"
        verbose_name_plural = "componenti"
        ordering = ["body", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="member_period_ordered",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


class Meeting(ScopedModel):
    scope_ambito = "body__ambito"

    body = models.ForeignKey(
        Body, verbose_name="organismo", on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField("data")
    note = models.TextField("note", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "seduta"
        verbose_name_plural = "sedute"
        ordering = ["body", "date"]
        constraints = [models.UniqueConstraint(fields=["body", "date"], name="meeting_one_per_day")]

    def __str__(self):
        return f"{self.body} – {self.date:%d/%m/%Y}"


class Deliberation(ScopedModel):
    """Delibera / atto: which body approved what, number and date."""

    class Subject(models.TextChoices):
        ZONE_PLAN = "zone_plan", "Piano di Zona"
        OPERATING_PLAN = "operating_plan", "Piano Operativo"
        FINAL_REPORT = "consuntivo", "Consuntivo"
        VARIATION = "variation", "Variazione"
        OTHER = "other", "Altro"

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="deliberations")
    body = models.ForeignKey(
        Body,
        verbose_name="organismo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliberations",
    )
    issuer = models.CharField(
        "ente emanante",
        max_length=250,
        blank=True,
        help_text="Per gli atti di enti esterni all'ambito (es. DGR di Regione Lombardia).",
    )
    number = models.CharField("numero", max_length=60, blank=True)
    date = models.DateField("data", null=True, blank=True)
    subject = models.TextField("oggetto")
    approves = models.CharField(
        "approva", max_length=20, choices=Subject.choices, default=Subject.OTHER
    )
    act = models.FileField("atto allegato", upload_to="acts/%Y/", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "deliberazione"
        verbose_name_plural = "deliberazioni e atti"
        ordering = ["ambito", "-date"]

    def __str__(self):
        parts = ["Atto"]
        if self.number:
            parts.append(f"n. {self.number}")
        if self.date:
            parts.append(f"del {self.date:%d/%m/%Y}")
        return " ".join(parts)


class Membership(ScopedModel):
    """A user's role in one Ambito: the source of every permission below superuser."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utente",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("ruolo", max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ruolo nell'ambito"
        verbose_name_plural = "ruoli negli ambiti"
        ordering = ["ambito", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "ambito", "role"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} ({self.ambito})"


class SourceDocument(ScopedModel):
    """A document the data was taken from (a seed, or a later plan as printed)."""

    class Kind(models.TextChoices):
        OPERATING_PLAN = "piano_operativo", "Piano Operativo"
        FINAL_REPORT = "consuntivo", "Relazione Consuntivo"
        ZONE_PLAN = "piano_di_zona", "Piano di Zona"

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="documents")
    key = models.SlugField("codice", max_length=80, unique=True)
    kind = models.CharField("tipo", max_length=20, choices=Kind.choices)
    title = models.CharField("titolo", max_length=250)
    subtitle = models.CharField("sottotitolo", max_length=250, blank=True)
    author = models.CharField("redatto da", max_length=250, blank=True)
    year = models.PositiveSmallIntegerField("anno")
    source = models.CharField("file di origine", max_length=250, blank=True)
    fixture_digest = models.CharField("impronta dei dati caricati", max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "documento di origine"
        verbose_name_plural = "documenti di origine"
        ordering = ["ambito", "year"]

    def __str__(self):
        return self.title


class PrintedTotal(ScopedModel):
    """A total as the original document prints it: a note for reconciliation, never a figure."""

    scope_ambito = "document__ambito"

    document = models.ForeignKey(
        SourceDocument,
        verbose_name="documento",
        on_delete=models.CASCADE,
        related_name="printed_totals",
    )
    scope = models.CharField("riferimento", max_length=200)
    label = models.CharField("dove nel documento", max_length=300)
    printed = MoneyField("importo stampato", non_negative=False)
    note = models.TextField("nota", blank=True)
    position = models.PositiveIntegerField("ordine", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "totale stampato"
        verbose_name_plural = "totali stampati"
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "scope", "label"], name="printed_total_unique"
            )
        ]

    def __str__(self):
        return f"{self.label}: {self.printed}"
