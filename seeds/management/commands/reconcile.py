from django.core.management.base import BaseCommand

from budget.reconciliation import reconcile
from core.formatting import format_euro
from core.numbers import format_measure
from governance.models import SourceDocument


class Command(BaseCommand):
    help = "Confronta i totali stampati nei documenti con la somma delle loro righe."

    def add_arguments(self, parser):
        parser.add_argument("--document", help="codice del documento (es. po-2015-cremasco)")

    def handle(self, *args, document=None, **options):
        documents = None
        if document:
            documents = SourceDocument.objects.filter(key=document)
        differences = reconcile(documents)
        if not differences:
            self.stdout.write(
                "Nessuna differenza: ogni totale stampato è la somma delle sue righe."
            )
            return
        self.stdout.write(f"{len(differences)} totali stampati diversi dalla somma delle righe:")
        for diff in differences:
            show = format_euro if diff.is_money else format_measure
            self.stdout.write(
                f"- {diff.document.title} · {diff.label} [{diff.scope}]: "
                f"stampato {show(diff.printed)}, calcolato {show(diff.computed)}, "
                f"differenza {show(diff.difference)}"
            )
