"""Time the import of a 10,000-row measurement workbook on a throw-away test database.

    .venv/bin/python -m tests.entry.bench_measurement_import [rows]

The measurement itself, against django-import-export's default row-by-row import, lives in
``bench/exports.py`` (``import_vs_row_by_row``, part of ``make bench``); this script runs it
on a fresh test database (SQLite in memory, or DATABASE_URL) instead of the bench database.
"""

import os
import sys


def main(rows=10_000):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench import exports

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        exports.IMPORT_ROWS = rows
        title, table, _ok = exports.import_vs_row_by_row()
        print(title)
        for name, value in table:
            print(f"  {name:<42} {value}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
