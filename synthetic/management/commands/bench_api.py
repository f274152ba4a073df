"""Time a full pull of every budget line through the API, on the data as it is and multiplied.

Everything the command writes (copies of the lines, a temporary auditor and its token) is
rolled back at the end: the database is left as it was found.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from budget.models import BudgetLine
from core import freeze
from core.roles import Role
from governance.models import Ambito, Membership

URL = "/api/v1/budget/budget-lines/"


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Misura il tempo di uno scaricamento completo delle righe di budget via API (tutte le "
        "pagine, JSON e CSV) sui dati presenti e moltiplicati; non modifica il database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="1,100", help="Moltiplicatori, es. 1,10,100.")
        parser.add_argument("--page-size", type=int, default=1000)
        parser.add_argument(
            "--repeat", type=int, default=3, help="Ripetizioni (si tiene la migliore)."
        )

    def handle(self, *args, **options):
        scales = [int(s) for s in options["scales"].split(",")]
        self.stdout.write(f"database: {connection.vendor}, page_size={options['page_size']}")
        self.stdout.write(f"{'scala':>6} {'righe':>8} {'formato':>7} {'pagine':>6} "
                          f"{'secondi':>8} {'query':>6} {'MB':>7}")
        try:
            with transaction.atomic():
                client = self._client()
                originals = list(BudgetLine.objects.all())
                made = 1
                for scale in sorted(scales):
                    self._multiply(originals, scale - made)
                    made = scale
                    for fmt in ("json", "csv"):
                        self._measure(client, scale, fmt, options["page_size"], options["repeat"])
                raise Rollback
        except Rollback:
            pass

    def _client(self):
        user = get_user_model().objects.create_user(username="bench-api-revisore")
        Membership.objects.bulk_create(
            [Membership(user=user, ambito=a, role=Role.AUDITOR) for a in Ambito.objects.all()]
        )
        token = Token.objects.create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Token {token.key}", SERVER_NAME="localhost")

    def _multiply(self, originals, copies):
        # bulk_create on purpose: the benchmark measures reads, not the history of writes.
        # The seeds' plans are approved: copies of their lines are synthetic data (rolled
        # back at the end), written the way the synthetic generator writes them.
        with freeze.allow(freeze.LOADING):
            self._copy_lines(originals, copies)

    def _copy_lines(self, originals, copies):
        for _ in range(copies):
            rows = []
            for line in originals:
                rows.append(BudgetLine(**{
                    f.attname: getattr(line, f.attname)
                    for f in BudgetLine._meta.concrete_fields if not f.primary_key
                }))
            BudgetLine.objects.bulk_create(rows, batch_size=2000)

    def _pull(self, client, fmt, page_size):
        url, pages, size, rows = f"{URL}?format={fmt}&page_size={page_size}", 0, 0, 0
        while url:
            response = client.get(url, secure=True)
            assert response.status_code == 200, (response.status_code, response.content[:300])
            pages += 1
            size += len(response.content)
            if fmt == "json":
                body = response.json()
                rows += len(body["results"])
                url = body["next"]
            else:
                rows += response.content.count(b"\r\n") - 1
                link = response.get("Link", "")
                url = link[1:link.index(">")] if 'rel="next"' in link else None
        return pages, size, rows

    def _measure(self, client, scale, fmt, page_size, repeat):
        best = None
        for _ in range(repeat):
            started = time.perf_counter()
            pages, size, rows = self._pull(client, fmt, page_size)
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        with CaptureQueriesContext(connection) as queries:
            self._pull(client, fmt, page_size)
        self.stdout.write(f"{scale:>6} {rows:>8} {fmt:>7} {pages:>6} {best:>8.2f} "
                          f"{len(queries):>6} {size / 1e6:>7.2f}")
