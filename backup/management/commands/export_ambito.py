from django.core.management.base import BaseCommand, CommandError

from backup.ambito import ambito_export
from backup.common import BackupError
from governance.models import Ambito

from .backup import size_text


class Command(BaseCommand):
    help = (
        "Esporta tutti i dati di un ambito in un archivio zip autodescrittivo (JSON, manifest "
        "con impronte sha256, README, report PDF), importabile in un'altra installazione."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="codice dell'ambito (es. cremasco)")
        parser.add_argument("--output", required=True, help="file .zip da scrivere")
        parser.add_argument("--with-reports", action="store_true",
                            help="genera ora anche i report PDF (Piano Operativo, Relazione "
                                 "Consuntivo, Piano di Zona) e li aggiunge all'archivio")

    def handle(self, *args, code, output, with_reports=False, **options):
        ambito = Ambito.objects.filter(slug=code).first()
        if ambito is None:
            codes = ", ".join(Ambito.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"Nessun ambito con codice «{code}» (presenti: {codes or '—'}).")
        try:
            manifest = ambito_export(ambito=ambito, output=output, with_reports=with_reports)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"{manifest['path']}: ambito {ambito.slug}, {rows} righe in "
            f"{len(manifest['counts'])} tabelle, {len(manifest['reports'])} report PDF, "
            f"{size_text(manifest['size'])}, {manifest['seconds']:.1f} s."
        )
        dropped = sum(manifest["dropped_user_links"].values())
        if dropped:
            self.stdout.write(
                f"Tolti {dropped} collegamenti ad account utente (gli utenti non si esportano): "
                + ", ".join(f"{k} {v}" for k, v in manifest["dropped_user_links"].items())
            )
        for item in manifest["missing_files"]:
            self.stdout.write(f"Attenzione: file mancante {item['file']} ({item['riga']}).")
        for item in manifest["reports_not_rendered"]:
            self.stdout.write(f"Report non generato {item['report']}: {item['motivo']}")
