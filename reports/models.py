"""Models of the project package: the printed-report jobs."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.scoping import RestrictedQuerySet


class ReportJob(models.Model):
    """A PDF report requested by a user, rendered by a Celery task and kept as a file.

    Not a ScopedModel on purpose: a job is derived data, not something the admin
    edits, but it is scoped like one (``scope_ambito``) so that every view reads
    it through ``ReportJob.objects.restrict(user, action)``.
    """

    scope_ambito = "ambito"
    scope_objective = None

    class Kind(models.TextChoices):
        OPERATING_PLAN = "piano-operativo", "Piano Operativo"
        FINAL_REPORT = "consuntivo", "Relazione Consuntivo"
        ZONE_PLAN = "piano-di-zona", "Piano di Zona"

    class Variant(models.TextChoices):
        ACCESSIBLE = "pdf/ua-1", "PDF accessibile (PDF/UA-1)"
        ARCHIVE = "pdf/a-3b", "PDF per l'archiviazione (PDF/A-3b)"

    class State(models.TextChoices):
        # Saved but not handed to the broker (Redis unreachable): the sweep sends it later.
        WAITING = "attesa", "In attesa di invio"
        QUEUED = "coda", "In coda"
        RUNNING = "elaborazione", "In elaborazione"
        READY = "pronto", "Pronto"
        FAILED = "errore", "Errore"

    ambito = models.ForeignKey(
        "governance.Ambito", on_delete=models.CASCADE, related_name="report_jobs"
    )
    operating_plan = models.ForeignKey(
        "objectives.OperatingPlan",
        verbose_name="Piano Operativo",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    zone_plan = models.ForeignKey(
        "objectives.ZonePlan",
        verbose_name="Piano di Zona",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    kind = models.CharField("documento", max_length=20, choices=Kind.choices)
    variant = models.CharField(
        "formato", max_length=12, choices=Variant.choices, default=Variant.ACCESSIBLE
    )
    state = models.CharField(
        "stato", max_length=12, choices=State.choices, default=State.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField("avanzamento (%)", default=0)
    step = models.CharField("fase", max_length=120, blank=True)
    error = models.TextField("motivo dell'errore", blank=True)
    data_version = models.CharField(
        "versione dei dati", max_length=64, blank=True, db_index=True,
        help_text="Impronta dei dati da cui il report è stato generato.",
    )
    file = models.FileField("file PDF", upload_to="reports/%Y/", blank=True)
    pages = models.PositiveIntegerField("pagine", null=True, blank=True)
    reused = models.BooleanField(
        "riutilizzato", default=False,
        help_text="Dati invariati: il file di un report precedente è stato riutilizzato.",
    )
    attempts = models.PositiveSmallIntegerField(
        "tentativi", default=0,
        help_text="Elaborazioni avviate: un worker interrotto ne lascia una in più.",
    )
    task_id = models.CharField(
        "messaggio Celery", max_length=64, blank=True,
        help_text="Il messaggio in elaborazione: se torna, il worker che lo aveva si è fermato.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="richiesto da",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("richiesto il", auto_now_add=True)
    started_at = models.DateTimeField("avviato il", null=True, blank=True)
    finished_at = models.DateTimeField("concluso il", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "report PDF"
        verbose_name_plural = "report PDF"
        # The table kept its name when the model moved from the project package (2026-12).
        db_table = "pianozona_reportjob"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="piano-di-zona", zone_plan__isnull=False, operating_plan__isnull=True)
                    | (~Q(kind="piano-di-zona") & Q(operating_plan__isnull=False))
                ),
                name="reportjob_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reportjob_progress_percent"
            ),
        ]
        indexes = [models.Index(fields=["kind", "variant", "data_version"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.target}"

    @property
    def target(self):
        return self.zone_plan if self.kind == self.Kind.ZONE_PLAN else self.operating_plan

    @property
    def is_pending(self):
        return self.state in (self.State.WAITING, self.State.QUEUED, self.State.RUNNING)

    @property
    def filename(self):
        target = self.target
        year = getattr(target, "year", None) or f"{target.start_year}-{target.end_year}"
        suffix = "-pdfa" if self.variant == self.Variant.ARCHIVE else ""
        return f"{self.kind}-{self.ambito.slug}-{year}{suffix}.pdf"
