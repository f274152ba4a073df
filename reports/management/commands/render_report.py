from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import rendering
from reports.builders import ReportError
from reports.targets import KINDS, find_ambito, find_target


class Command(BaseCommand):
    help = (
        "Genera il PDF di un Piano Operativo, di una Relazione Consuntivo o di un Piano di Zona "
        "(sincrono, senza coda)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="il documento da generare")
        parser.add_argument("--ambito", required=True,
                            help="nome o codice dell'ambito, anche in parte (es. cremasco)")
        parser.add_argument("--year", required=True, type=int,
                            help="anno del Piano Operativo (Piano di Zona: un anno del periodo)")
        parser.add_argument("--output", required=True, help="file PDF da scrivere")
        parser.add_argument("--archivio", action="store_true",
                            help="PDF/A-3b per l'archiviazione invece del PDF/UA-1 accessibile")

    def handle(self, *args, kind, ambito, year, output, archivio=False, **options):
        try:
            target = find_target(kind, find_ambito(ambito), year)
            result = rendering.render(
                kind, target, variant=rendering.PDF_A if archivio else rendering.PDF_UA
            )
        except ReportError as error:
            raise CommandError(str(error)) from error
        path = Path(output)
        if path.parent and not path.parent.exists():
            raise CommandError(f"La cartella {path.parent} non esiste.")
        path.write_bytes(result.pdf)
        self.stdout.write(
            f"{path}: {result.pages} pagine, {len(result.pdf) // 1024} KB, "
            f"{result.timings['total']:.1f} s (versione dei dati {result.data_version[:12]})"
        )
