import socket

from celery import shared_task


@shared_task(name="pianozona.ping")
def ping(payload=""):
    """Answered by a live worker: lets the health check tell a queue that works from one that
    only accepts messages."""
    return {"pong": payload, "worker": socket.gethostname()}
