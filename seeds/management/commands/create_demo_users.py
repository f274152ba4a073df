from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from seeds.demo import DEMO_USERS, create_demo_plans, create_demo_users


class Command(BaseCommand):
    help = (
        "Crea gli utenti dimostrativi (uno per ruolo) e i piani 2019 da provare, e ne stampa "
        "le credenziali. Solo in DEBUG."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Gli utenti dimostrativi si creano solo con DJANGO_DEBUG=1.")
        create_demo_users()
        self.stdout.write("Utenti dimostrativi (nome utente / password / ruolo):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec.username:<22} {spec.password:<24} {spec.description}")
        self.stdout.write("Piani dimostrativi:")
        for line in create_demo_plans():
            self.stdout.write(f"  {line}")
