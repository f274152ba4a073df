"""``manage.py generate_synthetic --ambiti 600 --years 10 --seed 1``: national-scale data."""

from django.core.management.base import BaseCommand, CommandError

import synthetic


class Command(BaseCommand):
    help = (
        "Genera ambiti sintetici (SYN-0001…) con Piani di Zona, Piani Operativi, obiettivi, "
        "azioni, righe di budget, indicatori e rilevazioni della forma dei documenti di "
        "esempio (che devono essere già caricati). Stesso seme, stesse righe. I dati "
        "sintetici non hanno storico delle modifiche."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ambiti", type=int, required=True, help="Numero di ambiti.")
        parser.add_argument("--years", type=int, default=10, help="Anni (un piano per anno).")
        parser.add_argument("--seed", type=int, default=1, help="Seme del generatore.")
        parser.add_argument("--start-year", type=int, default=2016, help="Primo anno.")
        parser.add_argument(
            "--density", type=float, default=1.0,
            help="Moltiplica le righe di budget per azione tratte dai documenti di esempio "
            "(2.4 dà i circa 2 milioni di righe di 600 ambiti × 10 anni).",
        )
        parser.add_argument("--replace", action="store_true",
                            help="Cancella prima gli ambiti sintetici esistenti.")
        parser.add_argument("--delete", action="store_true",
                            help="Cancella gli ambiti sintetici e non genera nulla.")

    def handle(self, *args, **options):
        if options["ambiti"] < 1 or options["years"] < 1:
            raise CommandError("--ambiti e --years devono essere almeno 1.")
        if options["replace"] or options["delete"]:
            removed = synthetic.delete_synthetic()
            self.stdout.write(f"Ambiti sintetici cancellati: {removed}")
            if options["delete"]:
                return

        def progress(done, total):
            if options["verbosity"] > 1 or done == total or done % 100 == 0:
                self.stdout.write(f"  {done}/{total} ambiti")

        try:
            result = synthetic.generate(
                ambiti=options["ambiti"], years=options["years"], seed=options["seed"],
                start_year=options["start_year"], density=options["density"],
                progress=progress if options["verbosity"] else None,
            )
        except (synthetic.MissingSeeds, ValueError) as error:
            raise CommandError(str(error)) from error
        for name, value in result.shape.items():
            self.stdout.write(f"  forma dai documenti di esempio – {name}: {value}")
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<32} {count:>10}")
        self.stdout.write(f"Generati {options['ambiti']} ambiti in {result.seconds:.1f} s.")
