"""Settings of the benchmarks: the app's own, with static files served without a manifest
(the benchmark renders pages without running collectstatic first)."""

from pianozona.settings import *  # noqa: F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
