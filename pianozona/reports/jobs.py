"""Report jobs: requested in the browser, rendered by Celery, kept as files."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from pianozona.models import ReportJob

from . import rendering
from .builders import KIND_ZONE_PLAN, build_final_report, build_operating_plan, build_zone_plan

logger = logging.getLogger(__name__)

_BUILD = {
    ReportJob.Kind.OPERATING_PLAN: build_operating_plan,
    ReportJob.Kind.FINAL_REPORT: build_final_report,
    ReportJob.Kind.ZONE_PLAN: build_zone_plan,
}


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


def report_job_request(*, user, kind, target, variant=ReportJob.Variant.ACCESSIBLE):
    """Queue a report; an unchanged plan gets the file already made, without rendering.

    The data version is the fingerprint of the rows the report reads: computing it
    costs the report's queries (milliseconds), not its rendering (seconds).
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
    from .tasks import render_report_job

    transaction.on_commit(lambda: render_report_job.delay(job.pk))
    return job


def _progress(job_id):
    def step(percent, label):
        ReportJob.objects.filter(pk=job_id).update(progress=percent, step=label)

    return step


def report_job_run(*, job_id):
    """Render a queued job (the body of the Celery task); failures end in 'errore'."""
    job = ReportJob.objects.select_related("ambito", "operating_plan", "zone_plan").get(pk=job_id)
    if job.state != ReportJob.State.QUEUED:
        return job  # delivered twice: the first delivery did the work
    ReportJob.objects.filter(pk=job.pk).update(
        state=ReportJob.State.RUNNING, started_at=timezone.now(), progress=5,
        step="Avvio dell'elaborazione",
    )
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
            job.file.save(name, ContentFile(result.pdf), save=False)
            job.pages = result.pages
        job.state, job.progress, job.step, job.error = ReportJob.State.READY, 100, "Completato", ""
    except Exception as error:  # noqa: BLE001 - the reason is shown to the user, the trace logged
        logger.exception("report %s non generato", job.pk)
        job.state, job.step = ReportJob.State.FAILED, "Interrotto"
        job.error = f"{type(error).__name__}: {error}"[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "progress", "step", "error", "data_version", "file", "pages",
                            "reused", "finished_at"])
    return job
