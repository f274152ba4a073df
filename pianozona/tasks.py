import socket

from celery import shared_task


@shared_task(name="pianozona.ping")
def ping(payload=""):
    """Answered by a live worker: lets the health check tell a queue that works from one that
    only accepts messages."""
    return {"pong": payload, "worker": socket.gethostname()}


@shared_task(name="pianozona.prune_login_records")
def prune_login_records():
    """Delete login records older than the retention the privacy notice promises."""
    from pianozona.security.retention import login_records_prune

    return login_records_prune()


# The worker discovers the tasks of this module; the report task lives with the reports.
from pianozona.reports.tasks import render_report_job, sweep_report_jobs  # noqa: E402,F401
