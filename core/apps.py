from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Fondamenta comuni"

    def ready(self):
        from . import history_writes

        history_writes.connect()
