from django.core.management.base import BaseCommand, CommandError

from backup.common import BackupError
from backup.database import backup_restore


class Command(BaseCommand):
    help = (
        "Ripristina database e file conservati da un archivio creato con «backup». "
        "Controlla le impronte del manifest e le migrazioni; non sovrascrive un database "
        "che contiene dati senza --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="archivio pianozona-backup-….tar")
        parser.add_argument("--force", action="store_true",
                            help="sostituisce i dati e i file già presenti")

    def handle(self, *args, archive, force=False, **options):
        try:
            result = backup_restore(archive=archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result["manifest"]
        self.stdout.write(
            f"Ripristinato il backup del {manifest['created_at']} "
            f"(versione {manifest['app_version']}) in {result['seconds']:.1f} s: "
            f"{len(result['tables'])} tabelle e {result['rows']} righe, identiche al manifest; "
            f"{result['media_files']} file."
        )
        if result["pending_migrations"]:
            self.stdout.write(
                "Il backup è di una versione precedente: eseguire ora "
                "«python manage.py migrate» ("
                f"{len(result['pending_migrations'])} migrazioni da applicare)."
            )
