from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = "Piani e obiettivi"

    def ready(self):
        # The freeze rule of the plans, installed into core's write hooks.
        from . import freeze  # noqa: F401
