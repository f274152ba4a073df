"""One scale of the scale table: `python bench/scale.py --ambiti 60` with DATABASE_URL set.

The database (e.g. pz_bench_60) is created if missing and filled once with the seeds and
``generate_synthetic``; the generator version, seed, scale and density used are recorded in
it (table ``pz_bench_meta``) and the data is regenerated only when one of them changes.
Prints one JSON document on its last line: the rows of the table, for bench/run.py.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

YEARS = 10
SEED = 1
# Lines per action × 2.6 of the seeds: 600 ambiti × 10 years ≈ 2.2 million budget lines,
# the national figure of the issue (the seeds alone give about 0.8 million).
DENSITY = 2.6
REQUESTS = 30
WARMUP = 3
P95_TARGET_MS = 150.0
META_TABLE = "pz_bench_meta"

PAGES = [
    ("cruscotto /piani/<id>/cruscotto/", "/piani/{plan}/cruscotto/"),
    ("budget /obiettivi/<id>/budget/", "/obiettivi/{objective}/budget/"),
    ("rilevazioni /piani/<id>/rilevazioni/2/", "/piani/{plan}/rilevazioni/2/"),
]
LISTS = [
    ("API budget-lines ?page=1", "/api/v1/budget/budget-lines/"),
    ("API budget-lines ?cursor=", "/api/v1/budget/budget-lines/?cursor="),
    ("API budget-lines ?cursor (in fondo)", "/api/v1/budget/budget-lines/?cursor={deep}"),
    ("API budget-lines CSV ?cursor=", "/api/v1/budget/budget-lines/?format=csv&cursor="),
    ("API measurements ?page=1", "/api/v1/indicators/measurements/"),
    ("API measurements ?cursor=", "/api/v1/indicators/measurements/?cursor="),
    ("API objectives (totali) ?page=1", "/api/v1/objectives/objectives/"),
    ("API operating-plans (totali) ?page=1", "/api/v1/objectives/operating-plans/"),
]


def wanted_meta(ambiti):
    from synthetic.version import GENERATOR_VERSION

    return {"generator": str(GENERATOR_VERSION), "seed": str(SEED), "ambiti": str(ambiti),
            "years": str(YEARS), "density": str(DENSITY)}


def _dsn(url, dbname):
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{dbname}"))


def prepare_database(url, ambiti):
    """Create the database if missing; drop and recreate it if its data is of another make."""
    import psycopg2

    dbname = urlparse(url).path.lstrip("/")
    admin = psycopg2.connect(_dsn(url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
        exists = cursor.fetchone() is not None
    meta = None
    if exists:
        with psycopg2.connect(url) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
            if cursor.fetchone()[0]:
                cursor.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608 - constant name
                meta = dict(cursor.fetchall())
        conn.close()
    wanted = wanted_meta(ambiti)
    fresh = meta is not None and all(meta.get(k) == v for k, v in wanted.items())
    if exists and not fresh:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
        exists = False
    if not exists:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{dbname}"')
    admin.close()
    return fresh


def fill(ambiti, log):
    from django.core.management import call_command
    from django.db import connection

    import synthetic

    started = time.perf_counter()
    call_command("load_seeds", verbosity=0)
    log(f"  documenti di esempio caricati in {time.perf_counter() - started:.0f} s")
    result = synthetic.generate(ambiti=ambiti, years=YEARS, seed=SEED, density=DENSITY)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(f"CREATE TABLE {META_TABLE} (key text PRIMARY KEY, value text)")
        meta = {**wanted_meta(ambiti), "seconds": f"{result.seconds:.1f}",
                "counts": json.dumps(result.counts)}
        for key, value in meta.items():
            cursor.execute(f"INSERT INTO {META_TABLE} VALUES (%s, %s)",  # noqa: S608
                           [key, value])
    log(f"  {ambiti} ambiti generati in {result.seconds:.0f} s "
        f"(+ VACUUM ANALYZE {time.perf_counter() - started:.0f} s)")


def recorded_meta():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608 - constant name
        return dict(cursor.fetchall())


def users():
    """A staff member of SYN-0001, an auditor of the last synthetic ambito (its rows have the
    highest ids: the worst case for a list in id order) and an auditor of every ambito."""
    from django.contrib.auth import get_user_model

    from core.roles import Role
    from governance.models import Ambito, Membership

    user_model = get_user_model()
    first = Ambito.objects.get(slug="SYN-0001")
    last = Ambito.objects.filter(slug__startswith="SYN-").order_by("-slug").first()
    made = {}
    for key, username, role, ambiti in (
        ("staff", "bench-ufficio", Role.STAFF, [first]),
        ("auditor", "bench-revisore-ambito", Role.AUDITOR, [last]),
        ("national", "bench-revisore-nazionale", Role.AUDITOR, list(Ambito.objects.all())),
    ):
        user, _created = user_model.objects.get_or_create(username=username)
        have = set(Membership.objects.filter(user=user, role=role).values_list("ambito_id",
                                                                              flat=True))
        Membership.objects.bulk_create([Membership(user=user, ambito=a, role=role)
                                        for a in ambiti if a.pk not in have])
        made[key] = user
    return made


def timed(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        b"".join(response.streaming_content) if response.streaming else response.content
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, secure=True)
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95, len(captured.captured_queries)


def measure(ambiti, log):
    from django.test import Client

    from objectives.models import Objective, OperatingPlan

    people = users()
    plan = (OperatingPlan.objects.filter(zone_plan__ambito__slug="SYN-0001")
            .exclude(state=OperatingPlan.State.DRAFT).order_by("-year").first())
    objective = (Objective.objects.filter(plan=plan).order_by("-number").first())
    rows = []
    staff = Client(SERVER_NAME="localhost")
    staff.force_login(people["staff"])
    for name, pattern in PAGES:
        url = pattern.format(plan=plan.pk, objective=objective.pk)
        p50, p95, queries = timed(staff, url)
        rows.append({"what": name, "who": "ufficio (1 ambito)", "p50": p50, "p95": p95,
                     "queries": queries})
        log(f"  {name}: p95 {p95:.0f} ms, {queries} query")
    from budget.models import BudgetLine
    from core.api.pagination import encode_cursor

    for who, user in (("revisore nazionale", people["national"]),
                      ("revisore 1 ambito", people["auditor"])):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        # A cursor 100 rows before the end of what this auditor sees: a deep page.
        ids = BudgetLine.objects.restrict(user).order_by("-pk").values_list("pk", flat=True)
        deep = encode_cursor(ids[100])
        for name, pattern in LISTS:
            p50, p95, queries = timed(client, pattern.format(deep=deep))
            rows.append({"what": name, "who": who, "p50": p50, "p95": p95, "queries": queries})
            log(f"  {name} ({who}): p95 {p95:.0f} ms, {queries} query")
    return rows


def extra_benchmarks(ambiti, run_export, run_import):
    out = []
    try:
        from bench import exports
    except ImportError as error:
        missing = f"bench/exports.py non disponibile ({error})"
        if run_export:
            out.append(("Esportazione CSV completa vs COPY", [("stato", missing)], False))
        if run_import:
            out.append(("Importazione 10.000 righe vs riga per riga", [("stato", missing)],
                        False))
        return out
    for wanted, function in ((run_export, "csv_export_vs_copy"),
                             (run_import, "import_vs_row_by_row")):
        if not wanted:
            continue
        try:
            title, rows, ok = getattr(exports, function)()
            out.append((f"{title} [{ambiti} ambiti]", rows, ok))
        except Exception as error:  # noqa: BLE001 - report it in the table, go on
            out.append((function, [("non riuscito", str(error)[:200])], False))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ambiti", type=int, required=True)
    parser.add_argument("--export", action="store_true", help="csv_export_vs_copy qui")
    parser.add_argument("--import-bench", action="store_true", help="import_vs_row_by_row qui")
    args = parser.parse_args()

    def log(message):
        print(message, file=sys.stderr, flush=True)

    url = os.environ["DATABASE_URL"]
    fresh = prepare_database(url, args.ambiti)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if not fresh:
        log(f"{urlparse(url).path.lstrip('/')}: generazione di {args.ambiti} ambiti…")
        fill(args.ambiti, log)
    meta = recorded_meta()
    rows = measure(args.ambiti, log)
    extras = extra_benchmarks(args.ambiti, args.export, args.import_bench)
    print(json.dumps({"ambiti": args.ambiti, "rows": rows, "meta": meta, "reused": fresh,
                      "extras": extras}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
