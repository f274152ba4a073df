import socket

from celery import shared_task


@shared_task(name="pianozona.ping")
def ping(payload=""):
    """Answered by a live worker: lets the health check tell a queue that works from one that
    only accepts messages."""
    return {"pong": payload, "worker": socket.gethostname()}


# The worker discovers the tasks of this module; the report task lives with the reports.
from pianozona.reports.tasks import render_report_job  # noqa: E402,F401
