import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.history_writes import recording
from seeds.loader import (
    FIXTURES_DIR,
    SeedError,
    document_folders,
    load_document,
    load_reference_data,
    read_document,
)


def load_reason(title, runner):
    return f"Caricamento del documento di esempio «{title}» (load_seeds, eseguito da {runner})"


class Command(BaseCommand):
    help = "Carica i documenti di esempio di fixtures/ (idempotente: rieseguirlo non cambia nulla)."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(FIXTURES_DIR), help="cartella delle fixture")
        parser.add_argument(
            "--force", action="store_true", help="ricarica anche i documenti non modificati"
        )
        parser.add_argument(
            "--user", default=None,
            help="nome utente a cui attribuire il caricamento nello storico delle modifiche "
            "(senza: l'account di sistema che esegue il comando, nel motivo)",
        )

    def handle(self, *args, path, force, user=None, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"Utente «{user}» inesistente.")
        runner = (account.get_full_name() or account.get_username()) if account else _os_user()
        results = []
        try:
            # One document at a time, each recorded in the history as its own load.
            for folder in document_folders(path):
                title = read_document(folder)[0]["document"]["title"]
                with recording(user=account, reason=load_reason(title, runner)):
                    results.append(load_document(folder, force=force))
            load_reference_data()
        except SeedError as exc:
            raise CommandError(f"Caricamento interrotto, nessun dato modificato: {exc}") from exc
        for document, loaded in results:
            state = "caricato" if loaded else "già presente, invariato"
            self.stdout.write(f"{document.title} ({document.ambito.name}): {state}")


def _os_user():
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no name for the account: still a load
        return "sistema"
