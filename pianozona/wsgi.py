import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings")
# Web requests only: a query running longer is cancelled (the request fails) before
# gunicorn's 60 s worker timeout; Celery tasks and management commands keep no limit.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "30000")
application = get_wsgi_application()

from pianozona.runtime import setup_web_worker  # noqa: E402 - after Django's setup

setup_web_worker()
