from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Report PDF"

    def ready(self):
        # Registers the Celery tasks in the web process too: the job state machine sends
        # them by name (reports/jobs.py).
        from . import tasks  # noqa: F401
