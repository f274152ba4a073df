"""Every benchmark of the project, in one run: `make bench` (or `python bench/run.py`).

Runs against its own SQLite database (var/bench.sqlite3, the seed documents loaded)
unless DATABASE_URL says otherwise, and prints one table per benchmark.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
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


def main():
    import django

    (ROOT / "var").mkdir(exist_ok=True)
    if OWN_DATABASE:
        BENCH_DB.unlink(missing_ok=True)  # the seeds as they are now, not as once loaded
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_seeds", verbosity=0)

    from bench import reports

    benchmarks = [reports.consuntivo_2018]
    failed = False
    for benchmark in benchmarks:
        title, rows, ok = benchmark()
        width = max(len(name) for name, _value in rows)
        print(f"\n{title}")
        print("-" * (width + 22))
        for name, value in rows:
            print(f"{name:<{width}}  {value:>18}")
        failed |= not ok
    # Benchmarks kept as management commands by the other parts of the project
    # (``bench_<name>``, each printing its own table) run here too: one entry point.
    from django.core.management import get_commands

    for name in sorted(c for c in get_commands() if c.startswith("bench_")):
        print(f"\n{name}")
        print("-" * 40)
        try:
            call_command(name)
        except Exception as error:  # noqa: BLE001 - report it, go on with the others
            print(f"{name} non riuscito: {error}")
            failed = True
    if failed:
        print("\nAlmeno un obiettivo non è rispettato (vedi NOT MET).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
