from celery import shared_task

from .jobs import report_job_run


@shared_task(name="pianozona.reports.render", acks_late=True)
def render_report_job(job_id):
    """Render one queued report: WeasyPrint and matplotlib are imported here, on first use."""
    job = report_job_run(job_id=job_id)
    return {"job": job.pk, "state": job.state}
