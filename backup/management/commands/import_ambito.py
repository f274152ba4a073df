from django.core.management.base import BaseCommand, CommandError

from backup.ambito import ambito_import
from backup.common import BackupError


class Command(BaseCommand):
    help = (
        "Importa l'archivio di un ambito creato con «export_ambito», in un'unica transazione: "
        "rifiuta un ambito già presente, salvo --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="archivio .zip creato con export_ambito")
        parser.add_argument("--replace", action="store_true",
                            help="sostituisce tutti i dati dell'ambito se esiste già "
                                 "(i ruoli degli utenti nell'ambito sono mantenuti)")

    def handle(self, *args, archive, replace=False, **options):
        try:
            result = ambito_import(archive=archive, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        verb = "sostituito" if result["replaced"] else "importato"
        self.stdout.write(
            f"Ambito {result['ambito']} {verb}: {result['rows']} righe in "
            f"{len(result['counts'])} tabelle, {result['files']} file allegati, "
            f"{result['seconds']:.1f} s."
        )
        if result["roles_kept"]:
            self.stdout.write(f"Mantenuti {result['roles_kept']} ruoli di utenti nell'ambito.")
        dropped = sum(result["dropped_user_links"].values())
        if dropped:
            self.stdout.write(
                f"{dropped} collegamenti ad account utente non erano nell'archivio (es. referenti):"
                " ricollegarli dall'amministrazione se servono."
            )
