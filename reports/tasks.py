from celery import shared_task

from .jobs import RENDER_TASK, SWEEP_TASK, TRANSIENT_ERRORS, report_job_run, report_jobs_sweep

# Transient errors are retried after about 10, 20, 40, 80 s (full jitter: a random wait up
# to that bound, so that jobs failed together do not come back together), then the job
# ends in "errore".
RENDER_RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 10,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 4,
}


@shared_task(
    name=RENDER_TASK, bind=True, ignore_result=True,
    # acks_late + reject_on_worker_lost: a worker killed mid-render gives the message back
    # to the broker, and the redelivery renders the job again (see jobs._claim).
    acks_late=True, reject_on_worker_lost=True,
    **RENDER_RETRY,
)
def render_report_job(self, job_id):
    """Render one queued report: WeasyPrint and matplotlib are imported here, on first use."""
    # Run eagerly with errors propagated (the embedded default), a retry would surface as an
    # exception in the web request that asked for the report: there, every try is the last.
    eager_without_retries = self.request.is_eager and self.app.conf.task_eager_propagates
    job = report_job_run(job_id=job_id, task_id=self.request.id or "",
                         last_attempt=eager_without_retries
                         or self.request.retries >= self.max_retries)
    return {"job": job_id, "state": job.state if job else None}


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep_report_jobs():
    """Resend reports kept while Redis was down; recover those whose worker died."""
    return report_jobs_sweep()
