import errno
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from returns import builder, writers

WRITE_ERRORS = {
    errno.ENOENT: "la cartella non esiste",
    errno.ENOTDIR: "la cartella non esiste",
    errno.EACCES: "permesso negato",
    errno.EPERM: "permesso negato",
    errno.EROFS: "il disco è in sola lettura",
    errno.ENOSPC: "spazio su disco esaurito",
    errno.EISDIR: "è una cartella",
}


def _reason(exc):
    return WRITE_ERRORS.get(exc.errno, f"errore di sistema {exc.errno or ''}".strip())


class Command(BaseCommand):
    help = (
        "Scrive un debito informativo (istat, fnps, fna, leps o un modello dell'ambito) "
        "in xlsx o csv. Esempio: manage.py returns istat --ambito cremasco --year 2018 "
        "--output istat-2018.xlsx"
    )

    def add_arguments(self, parser):
        parser.add_argument("template", help="codice del modello: istat, fnps, fna, leps…")
        parser.add_argument("--ambito", required=True,
                            help="slug o nome dell'ambito; «all» per tutti gli ambiti")
        parser.add_argument("--year", required=True, type=int, help="anno del piano")
        parser.add_argument("--output", required=True, help="file da scrivere (.xlsx o .csv)")

    def handle(self, *args, template, ambito, year, output, **options):
        path = Path(output)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in writers.FORMATS:
            raise CommandError(
                f"Formato del file «{path.name}» non previsto: usa .xlsx o .csv."
            )
        try:
            ambiti = builder.resolve_ambiti(ambito)
            found = builder.template_for(template, ambiti[0] if len(ambiti) == 1 else None)
            table = builder.build(found, ambiti=ambiti, year=year)
        except builder.ReturnError as exc:
            raise CommandError(f"{exc} Nessun file scritto.") from exc
        content = writers.render(table, fmt)
        # Written beside the target and renamed: the file appears whole or not at all, and a
        # file already there stays as it was when the write fails.
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_bytes(content)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CommandError(
                f"Impossibile scrivere «{path}»: {_reason(exc)}. Nessun file scritto."
            ) from exc
        for check in table.checks:
            state = "OK" if check.ok else "ATTENZIONE"
            self.stdout.write(f"{state} – {check.name}: {check.message}")
        for note in table.notes:
            self.stdout.write(f"Nota: {note}")
        self.stdout.write(f"Scritto {path}")
