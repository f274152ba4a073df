"""Every benchmark of the project, in one run: `make bench` (or `python bench/run.py`).

1. The report benchmark and the ``bench_*`` management commands, against their own SQLite
   database (var/bench.sqlite3, the seed documents loaded) unless DATABASE_URL says otherwise.
2. The scale table on PostgreSQL: for 1, 60 and 600 synthetic ambiti (databases pz_bench_1,
   pz_bench_60, pz_bench_600 on the server of DATABASE_URL, or postgres@127.0.0.1:5432 when
   unset; generated once and reused), each scale in its own process (bench/scale.py):
   pages and API lists, p50/p95 and query count; the full CSV export against COPY at 600
   ambiti and the 10,000-row import once (bench/exports.py).

    python bench/run.py [--scales 1,60,600] [--skip-reports]
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GIVEN_DATABASE_URL = os.environ.get("DATABASE_URL")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
BENCH_DB = ROOT / "var" / "bench.sqlite3"
OWN_DATABASE = "DATABASE_URL" not in os.environ
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DB}")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
# Benchmarks that go through the test client (bench_api) talk plain HTTP to localhost.
os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def print_table(title, rows):
    width = max(len(name) for name, _value in rows)
    print(f"\n{title}")
    print("-" * (width + 22))
    for name, value in rows:
        print(f"{name:<{width}}  {value:>18}")


def report_benchmarks():
    """The benchmarks that run on the seed documents alone (SQLite unless told otherwise)."""
    import django

    (ROOT / "var").mkdir(exist_ok=True)
    if OWN_DATABASE:
        BENCH_DB.unlink(missing_ok=True)  # the seeds as they are now, not as once loaded
    django.setup()
    from django.core.management import call_command, get_commands

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_seeds", verbosity=0)

    from bench import reports

    failed = False
    for benchmark in [reports.consuntivo_2018]:
        title, rows, ok = benchmark()
        print_table(title, rows)
        failed |= not ok
    # Benchmarks kept as management commands by the other parts of the project
    # (``bench_<name>``, each printing its own table) run here too: one entry point.
    for name in sorted(c for c in get_commands() if c.startswith("bench_")):
        print(f"\n{name}")
        print("-" * 40)
        try:
            call_command(name)
        except Exception as error:  # noqa: BLE001 - report it, go on with the others
            print(f"{name} non riuscito: {error}")
            failed = True
    return failed


def postgres_server():
    """The PostgreSQL server for the scale databases, or None when there is none to reach."""
    url = GIVEN_DATABASE_URL or DEFAULT_POSTGRES
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    try:
        import psycopg2

        psycopg2.connect(urlunparse(urlparse(url)._replace(path="/postgres")),
                         connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means: no server to use
        return None
    return url


def run_scale(server, ambiti, *, export, import_bench):
    url = urlunparse(urlparse(server)._replace(path=f"/pz_bench_{ambiti}"))
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    env.pop("CELERY_BROKER_URL", None)  # eager tasks: the benchmark measures the web process
    command = [sys.executable, str(ROOT / "bench" / "scale.py"), "--ambiti", str(ambiti)]
    if export:
        command.append("--export")
    if import_bench:
        command.append("--import-bench")
    print(f"\n[scala {ambiti}] {urlparse(url).path.lstrip('/')}", flush=True)
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    if done.returncode != 0:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def scale_table(server, scales):
    results = []
    for position, ambiti in enumerate(scales):
        result = run_scale(server, ambiti, export=ambiti == max(scales),
                           import_bench=position == 0)
        if result is None:
            print(f"scala {ambiti}: non riuscita (vedi sopra)")
            return True
        results.append(result)
    from bench.scale import P95_TARGET_MS, REQUESTS

    print(f"\nScala: pagine e liste API su PostgreSQL, {REQUESTS} richieste "
          f"per riga, obiettivo p95 <= {P95_TARGET_MS:.0f} ms alla scala più grande e "
          "numero di query uguale a ogni scala")
    for result in results:
        meta = result["meta"]
        counts = json.loads(meta["counts"])
        print(f"  {result['ambiti']:>4} ambiti: {counts['budget.BudgetLine']:,} righe di "
              f"budget, {counts['indicators.Measurement']:,} rilevazioni; generati in "
              f"{meta['seconds']} s{' (riusati)' if result['reused'] else ''}".replace(",", "."))
    header = f"{'cosa':<38} {'chi':<20}"
    for result in results:
        header += f" | {result['ambiti']:>4}: p50   p95  q"
    header += " | query = | p95 ok"
    print(header)
    print("-" * len(header))
    failed = False
    largest = results[-1]
    for index, row in enumerate(results[0]["rows"]):
        line = f"{row['what']:<38} {row['who']:<20}"
        queries = []
        for result in results:
            cell = result["rows"][index]
            queries.append(cell["queries"])
            line += f" | {cell['p50']:>9.0f} {cell['p95']:>5.0f} {cell['queries']:>2}"
        same = len(set(queries)) == 1
        fast = largest["rows"][index]["p95"] <= P95_TARGET_MS
        failed |= not (same and fast)
        line += f" | {'MET' if same else 'NOT MET':>7} | {'MET' if fast else 'NOT MET'}"
        print(line)
    for result in results:
        for title, rows, ok in result["extras"]:
            print_table(title, [tuple(r) for r in rows])
            failed |= not ok
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1,60,600"))
    parser.add_argument("--skip-reports", action="store_true")
    args = parser.parse_args()
    scales = sorted(int(s) for s in args.scales.split(",") if s)

    server = postgres_server()
    failed = False
    if not args.skip_reports:
        failed |= report_benchmarks()
    if server is None:
        print("\nTabella delle scale: richiede PostgreSQL. Imposta DATABASE_URL "
              "(postgres://…) oppure avvia PostgreSQL su 127.0.0.1:5432 (utente postgres); "
              "i database pz_bench_1, pz_bench_60, pz_bench_600 vengono creati e riusati.")
    else:
        failed |= scale_table(server, scales)
    if failed:
        print("\nAlmeno un obiettivo non è rispettato (vedi NOT MET).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
