from django.core.management.base import BaseCommand, CommandError

from backup.common import BackupError
from backup.database import backup_create


def size_text(size):
    for unit in ("byte", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "byte" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class Command(BaseCommand):
    help = (
        "Salva in un unico archivio datato il database (pg_dump su PostgreSQL, copia del file "
        "su SQLite) e tutti i file conservati (MEDIA_ROOT), con un manifest di controllo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True,
                            help="cartella in cui scrivere l'archivio (creata se manca)")

    def handle(self, *args, output, **options):
        try:
            result = backup_create(output_dir=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backup scritto in {result['path']} ({size_text(result['size'])}, "
            f"{result['seconds']:.1f} s): {len(result['tables'])} tabelle, "
            f"{result['rows']} righe, {result['media']['files']} file."
        )
