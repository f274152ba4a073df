"""Report jobs: requested in the browser, rendered by Celery, kept as files.

A job moves ``attesa`` (saved, Redis unreachable) → ``coda`` (handed to the broker) →
``elaborazione`` → ``pronto`` or ``errore``. Nothing is lost on the way: a job the broker
refused waits for :func:`report_jobs_sweep` (Celery beat, or ``manage.py
report_jobs_sweep``), a job whose worker died is rendered again by the redelivered
message or by the sweep, and a PDF becomes visible only once completely written.
"""

import logging
import os
from datetime import timedelta
from functools import partial
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import KombuError

from reports.models import ReportJob

from . import background, rendering
from .builders import (
    KIND_ZONE_PLAN,
    ReportError,
    build_final_report,
    build_operating_plan,
    build_zone_plan,
)

logger = logging.getLogger(__name__)

# The Celery task that renders a job (reports/tasks.py); the name queued messages carry.
RENDER_TASK = "pianozona.reports.render"
SWEEP_TASK = "pianozona.reports.sweep"

_BUILD = {
    ReportJob.Kind.OPERATING_PLAN: build_operating_plan,
    ReportJob.Kind.FINAL_REPORT: build_final_report,
    ReportJob.Kind.ZONE_PLAN: build_zone_plan,
}

# Worth another try a little later: the database or the file store did not answer.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)

QUEUE_UNAVAILABLE = (
    "La coda di stampa non è raggiungibile: la richiesta è stata registrata e partirà appena "
    "il servizio torna disponibile."
)
SERVICE_FAILED = (
    "Il report non è stato generato: il database o l'archivio dei file non hanno risposto "
    "neanche dopo più tentativi. Riprovare più tardi; se l'errore si ripete, avvisare "
    "l'assistenza."
)
INTERRUPTED = (
    "Il report non è stato generato: l'elaborazione si è interrotta più volte prima di "
    "concludersi. Riprovare; se l'errore si ripete, avvisare l'assistenza."
)
RUNNABLE = (ReportJob.State.WAITING, ReportJob.State.QUEUED)


def _stuck_after():
    return timedelta(minutes=settings.REPORT_JOB_STUCK_MINUTES)


def _target_filter(kind, target):
    if kind == KIND_ZONE_PLAN:
        return {"zone_plan": target}
    return {"operating_plan": target}


def ready_job(*, kind, target, variant, data_version):
    """A finished job of the same report, format and data, whose file is still there."""
    candidates = ReportJob.objects.filter(
        kind=kind, variant=variant, data_version=data_version, state=ReportJob.State.READY,
        **_target_filter(kind, target),
    ).exclude(file="").order_by("-finished_at", "-pk")
    for job in candidates[:5]:
        if job.file.storage.exists(job.file.name):
            return job
    return None


@transaction.atomic
def report_job_request(*, user, kind, target, variant=ReportJob.Variant.ACCESSIBLE):
    """Queue a report; an unchanged plan gets the file already made, without rendering.

    The data version is the fingerprint of the rows the report reads: computing it
    costs the report's queries (milliseconds), not its rendering (seconds). The message
    goes to the broker once the job is committed, so that the worker finds it.
    """
    data = _BUILD[kind](target)
    ambito = target.ambito if kind == KIND_ZONE_PLAN else target.zone_plan.ambito
    job = ReportJob(ambito=ambito, kind=kind, variant=variant, requested_by=user,
                    **_target_filter(kind, target))
    previous = ready_job(kind=kind, target=target, variant=variant,
                         data_version=data.data_version)
    if previous is not None:
        now = timezone.now()
        job.state, job.progress, job.step = ReportJob.State.READY, 100, "Dati invariati"
        job.file, job.pages, job.reused = previous.file.name, previous.pages, True
        job.data_version = data.data_version
        job.started_at = job.finished_at = now
        job.save()
        return job
    job.save()
    transaction.on_commit(partial(report_job_dispatch, job_id=job.pk))
    return job


def report_job_dispatch(*, job_id):
    """Hand a saved job to the broker; with Redis unreachable keep it "in attesa di invio".

    Returns whether the broker took it. The broker settings make a refusal quick (about
    2 s, not Celery's minutes of retries), so a page that calls this never hangs. Sending
    the same job twice is harmless: only a runnable job is rendered.
    """
    # By name, from Celery's registry (reports/apps.py imports the tasks): the task
    # module imports this state machine, not the other way round.
    task = current_app.tasks[RENDER_TASK]
    if current_app.conf.task_always_eager and settings.REPORT_EAGER_IN_BACKGROUND:
        # No broker: ``delay()`` would render here, inside the request that asked.
        ReportJob.objects.filter(pk=job_id, state=ReportJob.State.WAITING).update(
            state=ReportJob.State.QUEUED, step="",
        )
        background.submit(task.apply, args=[job_id])
        return True
    try:
        task.delay(job_id)
    except (KombuError, OSError):
        logger.warning("coda di stampa non raggiungibile: report %s in attesa di invio", job_id,
                       exc_info=True)
        ReportJob.objects.filter(pk=job_id, state__in=RUNNABLE).update(
            state=ReportJob.State.WAITING, step="Coda di stampa non raggiungibile",
        )
        return False
    # Conditional: an eager run, or a fast worker, may already have moved the job on.
    ReportJob.objects.filter(pk=job_id, state=ReportJob.State.WAITING).update(
        state=ReportJob.State.QUEUED, step="",
    )
    return True


def report_jobs_sweep(*, now=None):
    """Resend what Redis refused and recover jobs whose worker died; returns the counts.

    Run by Celery beat every two minutes and by ``manage.py report_jobs_sweep``. A job
    "in elaborazione" (or "in coda") since longer than ``REPORT_JOB_STUCK_MINUTES`` has lost
    its worker or its message: it is sent again, and fails for good once it has used its
    ``REPORT_JOB_MAX_ATTEMPTS`` renders.
    """
    now = now or timezone.now()
    limit = now - _stuck_after()
    exhausted = ReportJob.objects.filter(
        state=ReportJob.State.RUNNING, started_at__lt=limit,
        attempts__gte=settings.REPORT_JOB_MAX_ATTEMPTS,
    ).update(state=ReportJob.State.FAILED, step="Interrotto", error=INTERRUPTED,
             finished_at=now)
    stuck = ReportJob.objects.filter(
        Q(state=ReportJob.State.RUNNING, started_at__lt=limit)
        | (Q(state=ReportJob.State.QUEUED, created_at__lt=limit)
           & (Q(started_at__isnull=True) | Q(started_at__lt=limit)))
    )
    requeued = stuck.update(state=ReportJob.State.WAITING, step="Da reinviare", progress=0)
    counts = {"sent": 0, "waiting": 0, "failed": exhausted, "recovered": requeued}
    pending = ReportJob.objects.filter(state=ReportJob.State.WAITING).order_by("created_at", "pk")
    for job_id in pending.values_list("pk", flat=True):
        if report_job_dispatch(job_id=job_id):
            counts["sent"] += 1
        else:
            counts["waiting"] += 1
            break  # the broker is still down: the others would wait 2 s each for nothing
    if counts["waiting"]:
        counts["waiting"] = pending.count()
    return counts


def _progress(job_id):
    def step(percent, label):
        ReportJob.objects.filter(pk=job_id).update(progress=percent, step=label)

    return step


def _claim(*, job_id, task_id):
    """Mark the job running if this delivery may render it; None when it may not.

    Runnable: waiting or queued; running since longer than the stuck limit (its worker
    died); or running under this very message, which the broker only hands out again when
    the worker holding it is gone (acks_late with reject_on_worker_lost). A second message
    for a job another worker is rendering right now finds none of these and is ignored.
    """
    now = timezone.now()
    runnable = Q(state__in=RUNNABLE) | Q(state=ReportJob.State.RUNNING,
                                         started_at__lt=now - _stuck_after())
    if task_id:
        runnable |= Q(state=ReportJob.State.RUNNING, task_id=task_id)
    jobs = ReportJob.objects.filter(runnable, pk=job_id)
    claimed = jobs.filter(attempts__lt=settings.REPORT_JOB_MAX_ATTEMPTS).update(
        state=ReportJob.State.RUNNING, started_at=now, progress=5,
        step="Avvio dell'elaborazione", task_id=task_id, attempts=F("attempts") + 1,
    )
    if not claimed:
        # Runnable but out of attempts: it killed its worker too often to try again.
        jobs.update(state=ReportJob.State.FAILED, step="Interrotto", error=INTERRUPTED,
                    finished_at=now)
        return None
    return ReportJob.objects.select_related("ambito", "operating_plan", "zone_plan").get(
        pk=job_id)


def _store_pdf(job, name, content):
    """Write the PDF under a temporary name and move it into place only once complete.

    A worker killed while writing leaves a hidden ``.part`` file that nothing refers to,
    never a truncated PDF under the name a job points at.
    """
    field = job.file.field
    storage = job.file.storage
    final = storage.get_available_name(field.generate_filename(job, name),
                                       max_length=field.max_length)
    try:
        path = Path(storage.path(final))
    except NotImplementedError:
        # Remote storages publish an object only when its upload is complete.
        return storage.save(final, ContentFile(content), max_length=field.max_length)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if storage.file_permissions_mode is not None:
            os.chmod(temporary, storage.file_permissions_mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return final


def report_job_run(*, job_id, task_id="", last_attempt=True):
    """Render a job (the body of the Celery task).

    A transient error (database, file store) is raised again for Celery to retry, unless
    this is the ``last_attempt``; every other failure, and the last transient one, ends in
    "errore" with an Italian reason for the page. Tracebacks go to the log only.
    """
    job = _claim(job_id=job_id, task_id=task_id)
    if job is None:
        return ReportJob.objects.filter(pk=job_id).first()  # nothing to do (or deleted)
    try:
        data = _BUILD[job.kind](job.target)
        job.data_version = data.data_version
        previous = ready_job(kind=job.kind, target=job.target, variant=job.variant,
                             data_version=job.data_version)
        if previous is not None:
            job.file, job.pages, job.reused = previous.file.name, previous.pages, True
        else:
            result = rendering.render(job.kind, job.target, variant=job.variant, data=data,
                                      on_step=_progress(job.pk))
            name = job.filename.removesuffix(".pdf") + f"-{job.data_version[:12]}.pdf"
            job.file.name = _store_pdf(job, name, result.pdf)
            job.pages = result.pages
        # Only now, with the file complete and in place, may the job say "pronto".
        job.state, job.progress, job.step, job.error = ReportJob.State.READY, 100, "Completato", ""
    except TRANSIENT_ERRORS:
        if not last_attempt:
            logger.warning("report %s: errore temporaneo, nuovo tentativo", job.pk, exc_info=True)
            ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
                state=ReportJob.State.QUEUED, progress=0,
                step="Errore temporaneo: nuovo tentativo tra poco",
            )
            raise
        logger.exception("report %s non generato: errore temporaneo all'ultimo tentativo", job.pk)
        job.state, job.step, job.error = ReportJob.State.FAILED, "Interrotto", SERVICE_FAILED
    except ReportError as error:
        job.state, job.step = ReportJob.State.FAILED, "Interrotto"
        job.error = f"Il report non è stato generato: {error}"[:2000]
    except Exception as error:  # noqa: BLE001 - any other failure ends visibly, trace logged
        logger.exception("report %s non generato", job.pk)
        job.state, job.step = ReportJob.State.FAILED, "Interrotto"
        job.error = ("Il report non è stato generato: errore imprevisto durante "
                     f"l'impaginazione ({error}). Riprovare; se l'errore si ripete, avvisare "
                     "l'assistenza.")[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "progress", "step", "error", "data_version", "file", "pages",
                            "reused", "finished_at"])
    return job


def report_file_is_complete(job):
    """The stored PDF exists, starts as a PDF and ends with its trailer (not cut short)."""
    if not job.file:
        return False
    storage = job.file.storage
    try:
        if not storage.exists(job.file.name) or storage.size(job.file.name) < 64:
            return False
        with storage.open(job.file.name, "rb") as handle:
            head = handle.read(5)
            handle.seek(max(0, storage.size(job.file.name) - 1024))
            tail = handle.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail
