"""Bench databases that are the same at every run.

``pz_bench_<ambiti>`` is generated once (seeds + ``synthetic.generate`` + the bench users),
then ``VACUUM ANALYZE``, then a manifest is written into it (table ``pz_bench_meta``): the
generator version, seed, scale, density, and the exact row count of every table. That
database is a *template* and is never measured: each run works on a scratch copy
(``CREATE DATABASE pz_bench_<ambiti>_run TEMPLATE pz_bench_<ambiti>``, a file copy that keeps
the planner's statistics), whatever it writes is dropped with the copy.

At start the template is checked against its manifest: every table's live rows equal to the
manifest, no dead rows, the planner's row estimate (``pg_class.reltuples``) within 2 % of the
live rows. A template of another generator version / seed / scale / migration state is
regenerated; one whose rows drifted is refused (``--regenerate`` / ``BENCH_REGENERATE=1``
rebuilds it).

    python bench/databases.py --ambiti 600            # generate (or check) the template
"""

import argparse
import json
import os
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

YEARS = 10
SEED = 1
# Lines per action × 2.6 of the seeds: 600 ambiti × 10 years ≈ 2.2 million budget lines,
# the national figure of the issue (the seeds alone give about 0.8 million).
DENSITY = 2.6
META_TABLE = "pz_bench_meta"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
ESTIMATE_TOLERANCE = 0.02
BENCH_USERS = (
    # key, username, role, which ambiti
    ("staff", "bench-ufficio", "first"),
    ("auditor", "bench-revisore-ambito", "last"),
    ("national", "bench-revisore-nazionale", "all"),
)


class ManifestMismatch(Exception):
    """The template's rows or statistics are not what the generator wrote."""


def template_name(ambiti):
    return f"pz_bench_{ambiti}"


def run_name(ambiti):
    return f"pz_bench_{ambiti}_run"


def dsn(url, dbname):
    return urlunparse(urlparse(url)._replace(path=f"/{dbname}"))


def migration_state():
    """A digest of every migration file of the project: a template generated before a
    migration is regenerated rather than migrated on its copy, where the migration's writes
    would leave dead rows in the tables measured."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/[0-9]*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def wanted_meta(ambiti):
    from synthetic.version import GENERATOR_VERSION

    return {"generator": str(GENERATOR_VERSION), "seed": str(SEED), "ambiti": str(ambiti),
            "years": str(YEARS), "density": str(DENSITY), "migrations": migration_state()}


def _admin(url):
    import psycopg2

    admin = psycopg2.connect(dsn(url, "postgres"))
    admin.autocommit = True
    return closing(admin)


def _exists(admin, dbname):
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
        return cursor.fetchone() is not None


def read_meta(url, dbname):
    """The template's recorded meta (dict), or None when missing / not a bench database."""
    import psycopg2

    with _admin(url) as admin:
        if not _exists(admin, dbname):
            return None
    conn = psycopg2.connect(dsn(url, dbname))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
            if not cursor.fetchone()[0]:
                return None
            cursor.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608 - constant
            return dict(cursor.fetchall())
    finally:
        conn.close()


def table_rows(cursor):
    """Exact rows of every table of the public schema (the meta table excluded)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                   "AND tablename <> %s ORDER BY tablename", [META_TABLE])
    tables = [t for (t,) in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - catalogue names
        counts[table] = cursor.fetchone()[0]
    return counts


def table_stats(cursor):
    """Per table: dead rows (pg_stat) and the planner's estimate (pg_class.reltuples)."""
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT s.relname, s.n_dead_tup, c.reltuples FROM pg_stat_user_tables s "
        "JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = 'public'"
    )
    return {name: {"dead": dead, "estimate": estimate}
            for name, dead, estimate in cursor.fetchall()}


def manifest_problems(manifest, live, stats, *, tolerance=ESTIMATE_TOLERANCE):
    """What differs between the generator's manifest and the database (empty: they match).

    ``manifest`` and ``live``: table -> exact rows; ``stats``: table -> dead rows and the
    planner's estimate. Pure, so that it is tested without a server.
    """
    problems = []
    for table in sorted(set(manifest) | set(live)):
        want, have = manifest.get(table), live.get(table)
        if want is None:
            problems.append(f"{table}: tabella non nel manifesto ({have} righe)")
            continue
        if have is None:
            problems.append(f"{table}: tabella mancante (manifesto {want} righe)")
            continue
        if want != have:
            problems.append(f"{table}: {have} righe vive, manifesto {want}")
        stat = stats.get(table, {})
        dead = stat.get("dead") or 0
        if dead:
            problems.append(f"{table}: {dead} righe morte")
        estimate = stat.get("estimate")
        # reltuples is -1 for a table never analysed; small tables get some slack.
        if estimate is not None and have and (
                estimate < 0 or abs(estimate - have) > max(tolerance * have, 10)):
            problems.append(f"{table}: stima del pianificatore {estimate:.0f}, righe {have}")
    return problems


def check_template(url, ambiti):
    """Raise ManifestMismatch unless the template holds exactly what its manifest says."""
    import psycopg2

    dbname = template_name(ambiti)
    meta = read_meta(url, dbname)
    if meta is None or "manifest" not in meta:
        raise ManifestMismatch(f"{dbname}: nessun manifesto")
    conn = psycopg2.connect(dsn(url, dbname))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            live = table_rows(cursor)
            stats = table_stats(cursor)
    finally:
        conn.close()
    problems = manifest_problems(json.loads(meta["manifest"]), live, stats)
    if problems:
        raise ManifestMismatch(f"{dbname} non corrisponde al manifesto del generatore: "
                               + "; ".join(problems[:8]))
    return meta


def _drop(admin, dbname):
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def ensure_template(url, ambiti, *, regenerate=False, log=print):
    """The template of ``ambiti``: checked, generated when missing or of another make."""
    dbname = template_name(ambiti)
    meta = read_meta(url, dbname)
    wanted = wanted_meta(ambiti)
    same_make = (meta is not None and "manifest" in meta
                 and all(meta.get(k) == v for k, v in wanted.items()))
    if same_make and not regenerate:
        return check_template(url, ambiti), True
    with _admin(url) as admin:
        _drop(admin, dbname)
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{dbname}"')
    log(f"{dbname}: generazione di {ambiti} ambiti…")
    generate_into(url, ambiti, log=log)
    return check_template(url, ambiti), False


def generate_into(url, ambiti, *, log=print):
    """Migrate, seeds, synthetic ambiti, bench users, VACUUM ANALYZE, manifest: in a child
    process, since Django binds to one database per process."""
    import subprocess

    env = {**os.environ, "DATABASE_URL": dsn(url, template_name(ambiti)),
           "DJANGO_SETTINGS_MODULE": "bench.settings"}
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    env.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(Path(__file__).resolve()), "--ambiti", str(ambiti), "--fill"],
        env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"generazione di {template_name(ambiti)} non riuscita")


def make_users():
    """A staff member of SYN-0001, an auditor of the last synthetic ambito (its rows have the
    highest ids: the worst case for a list in id order) and an auditor of every ambito."""
    from django.contrib.auth import get_user_model

    from core.roles import Role
    from governance.models import Ambito, Membership

    user_model = get_user_model()
    synthetic = Ambito.objects.filter(slug__startswith="SYN-").order_by("slug")
    chosen = {"first": [synthetic.first()], "last": [synthetic.last()],
              "all": list(Ambito.objects.order_by("pk"))}
    roles = {"staff": Role.STAFF, "auditor": Role.AUDITOR, "national": Role.AUDITOR}
    for key, username, which in BENCH_USERS:
        user = user_model.objects.create_user(username=username)
        Membership.objects.bulk_create(Membership(user=user, ambito=a, role=roles[key])
                                       for a in chosen[which])


def bench_users():
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return {key: user_model.objects.get(username=username)
            for key, username, _which in BENCH_USERS}


def fill(ambiti, log=print):
    """Run inside Django bound to the (empty) template database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import synthetic

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command("load_seeds", verbosity=0)
    log(f"  documenti di esempio caricati in {time.perf_counter() - started:.0f} s")

    def progress(done, total):
        if done % 60 == 0 or done == total:
            log(f"  {done}/{total} ambiti, {time.perf_counter() - started:.0f} s")

    result = synthetic.generate(ambiti=ambiti, years=YEARS, seed=SEED, density=DENSITY,
                                progress=progress)
    make_users()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # This backend's own table counters (rows it updated or deleted) are flushed to the
        # shared statistics at most once a second: flushed after the VACUUM they would count
        # as dead rows again (PostgreSQL 15 left 1-3 "dead" rows in small governance tables).
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT 1")
        cursor.execute("VACUUM (FREEZE, ANALYZE)")
        manifest = table_rows(cursor)
        meta = {**wanted_meta(ambiti), "seconds": f"{result.seconds:.1f}",
                "counts": json.dumps(result.counts), "manifest": json.dumps(manifest),
                "created": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
        cursor.execute(f"CREATE TABLE {META_TABLE} (key text PRIMARY KEY, value text)")
        for key, value in meta.items():
            cursor.execute(f"INSERT INTO {META_TABLE} VALUES (%s, %s)",  # noqa: S608
                           [key, value])
        cursor.execute(f"VACUUM ANALYZE {META_TABLE}")
    log(f"  {ambiti} ambiti generati in {result.seconds:.0f} s "
        f"(+ VACUUM ANALYZE {time.perf_counter() - started:.0f} s); "
        f"{result.counts.get('budget.BudgetLine', 0):,} righe di budget")


def scratch_copy(url, ambiti):
    """A fresh copy of the template for one run (dropped by ``drop_copy``)."""
    with _admin(url) as admin:
        _drop(admin, run_name(ambiti))
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{run_name(ambiti)}" '
                           f'TEMPLATE "{template_name(ambiti)}" STRATEGY FILE_COPY')
    return dsn(url, run_name(ambiti))


def drop_copy(url, ambiti):
    with _admin(url) as admin:
        _drop(admin, run_name(ambiti))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ambiti", type=int, required=True)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--fill", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    def log(message):
        print(message, file=sys.stderr, flush=True)

    if args.fill:
        fill(args.ambiti, log)
        return 0
    url = os.environ.get("DATABASE_URL", DEFAULT_POSTGRES)
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_POSTGRES
    try:
        meta, reused = ensure_template(url, args.ambiti, regenerate=args.regenerate, log=log)
    except ManifestMismatch as error:
        log(str(error))
        return 2
    log(f"{template_name(args.ambiti)}: {'riusato' if reused else 'generato'}, "
        f"manifesto verificato ({meta['created']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
