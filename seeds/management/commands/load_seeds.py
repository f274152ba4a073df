from django.core.management.base import BaseCommand, CommandError

from seeds.loader import FIXTURES_DIR, SeedError, load_all


class Command(BaseCommand):
    help = "Carica i documenti di esempio di fixtures/ (idempotente: rieseguirlo non cambia nulla)."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(FIXTURES_DIR), help="cartella delle fixture")
        parser.add_argument(
            "--force", action="store_true", help="ricarica anche i documenti non modificati"
        )

    def handle(self, *args, path, force, **options):
        try:
            results = load_all(path, force=force)
        except SeedError as exc:
            raise CommandError(f"Caricamento interrotto, nessun dato modificato: {exc}") from exc
        for document, loaded in results:
            state = "caricato" if loaded else "già presente, invariato"
            self.stdout.write(f"{document.title} ({document.ambito.name}): {state}")
