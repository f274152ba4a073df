import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings")

app = Celery("pianozona")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every two minutes: resend the reports kept while Redis was down, re-queue those whose
# worker died (reports/jobs.py, report_jobs_sweep). Kept here, beside the app,
# rather than in CELERY_BEAT_SCHEDULE, which lists the calendar jobs of the Ufficio.
SWEEP_EVERY_SECONDS = 120.0


@app.on_after_configure.connect
def _schedule_report_sweep(sender, **kwargs):
    # A new dict, not add_periodic_task: that would write into the settings' own dict.
    sender.conf.beat_schedule = {
        **sender.conf.beat_schedule,
        "report-da-reinviare": {"task": "pianozona.reports.sweep",
                                "schedule": SWEEP_EVERY_SECONDS},
        # The privacy notice promises how long login records are kept (PRIVACY_LOG_RETENTION_DAYS).
        "registri-accesso-scaduti": {"task": "pianozona.prune_login_records",
                                     "schedule": crontab(minute=30, hour=3)},
    }
