from django.core.management.base import BaseCommand

from reports.jobs import report_jobs_sweep


class Command(BaseCommand):
    help = (
        "Reinvia alla coda di stampa i report rimasti «in attesa di invio» (Redis non "
        "raggiungibile) e riaccoda quelli il cui worker si è interrotto. Celery beat lo fa "
        "ogni due minuti; il comando serve quando beat non gira."
    )

    def handle(self, *args, **options):
        counts = report_jobs_sweep()
        self.stdout.write(
            f"Inviati: {counts['sent']} · ancora in attesa (coda non raggiungibile): "
            f"{counts['waiting']} · riaccodati dopo un'interruzione: {counts['recovered']} · "
            f"non più ritentati: {counts['failed']}"
        )
        if counts["waiting"]:
            self.stderr.write("La coda di stampa non è raggiungibile: riprovare più tardi.")
