"""Reports without a broker: the job renders in a thread of the web process, after the request.

With Celery eager (no ``CELERY_BROKER_URL``, the embedded default) ``delay()`` would render
the PDF inside the request that asked for it, holding the page for seconds. Instead the job
is handed to a small pool of threads of this process: the page answers at once with the job
"in coda", and the job page follows it as it does with a worker. One thread by default, so
that renders queue up rather than compete for the CPU of a small server.

A process that stops mid-render leaves the job "in elaborazione": the sweep
(``manage.py report_jobs_sweep``) sends it again once ``REPORT_JOB_STUCK_MINUTES`` passed.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_pool = None


def _executor():
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.REPORT_LOCAL_THREADS,
                                       thread_name_prefix="report")
        return _pool


def submit(function, *args, **kwargs):
    """Run ``function`` in the report thread; its own database connection is closed after."""

    def run():
        try:
            return function(*args, **kwargs)
        except Exception:
            logger.exception("report in background: elaborazione interrotta")
            raise
        finally:
            connections.close_all()  # this thread's connections only

    return _executor().submit(run)
