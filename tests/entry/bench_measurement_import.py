"""Time the import of a 10,000-row measurement workbook (a measurement, not a test).

    .venv/bin/python -m tests.entry.bench_measurement_import [rows]

Builds a throw-away test database (SQLite in memory, or DATABASE_URL), one plan with
2,500 indicators, a workbook of their four quarters, then times reading the file,
the preview (full validation) and the confirmed import, with the query counts.
"""

import io
import os
import sys
import time
from datetime import date
from decimal import Decimal


def main(rows=10_000):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _run(rows, connection, CaptureQueriesContext)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _run(rows, connection, capture):
    import openpyxl

    from budget.models import BudgetLine  # noqa: F401 - apps fully loaded
    from governance.roles import Role
    from indicators.models import Indicator, Measurement
    from indicators.resources import MeasurementResource
    from objectives.models import Objective
    from pianozona.entry.imports import has_problems, read_dataset, run_import
    from tests.builders import build_ambito, make_user

    world = build_ambito("bench", year=2030, lines_per_action=1)
    plan = world.objects[Objective].plan
    user = make_user("bench", ambito=world.ambito, role=Role.STAFF)
    per_objective = 50
    indicators_needed = rows // 4
    objectives = [
        Objective.objects.create(plan=plan, number=n + 2, title=f"Obiettivo {n}")
        for n in range(indicators_needed // per_objective)
    ]
    indicators = Indicator.objects.bulk_create(
        Indicator(objective=o, name=f"Indicatore {o.number}.{i}", position=i,
                  kind=Indicator.Kind.DECIMAL)
        for o in objectives for i in range(per_objective)
    )
    ends = [date(2030, 3, 31), date(2030, 6, 30), date(2030, 9, 30), date(2030, 12, 31)]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["ID indicatore", "Rilevazione al", "Stato", "Valore", "Nota"])
    for n, indicator in enumerate(indicators):
        for end in ends:
            if n % 10 == 0 and end.month == 9:
                sheet.append([indicator.pk, end.strftime("%d/%m/%Y"), "N.D.", None, "attesa"])
            else:
                sheet.append([indicator.pk, end.strftime("%d/%m/%Y"), None, n % 500 + 0.5, None])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    print(f"workbook: {len(indicators) * 4} rows, {len(data) / 1024:.0f} KiB, "
          f"database: {connection.vendor}")

    started = time.perf_counter()
    dataset = read_dataset("bench.xlsx", data)
    read = time.perf_counter() - started

    resource = MeasurementResource(user=user, plan=plan)
    with capture(connection) as queries:
        started = time.perf_counter()
        preview = run_import(resource, dataset, user=user, dry_run=True)
        dry = time.perf_counter() - started
    assert not has_problems(preview), preview.invalid_rows[:3]
    preview_queries = len(queries)

    resource = MeasurementResource(user=user, plan=plan)
    with capture(connection) as queries:
        started = time.perf_counter()
        result = run_import(resource, dataset, user=user, dry_run=False)
        real = time.perf_counter() - started
    assert not has_problems(result)
    written = Measurement.objects.filter(indicator__objective__plan=plan).count()
    print(f"read xlsx: {read:.1f} s")
    print(f"preview (validate every row, nothing written): {dry:.1f} s, "
          f"{preview_queries} queries")
    print(f"confirmed import: {real:.1f} s, {len(queries)} queries, "
          f"{written} measurements in the plan")
    assert written >= len(indicators) * 4
    assert Measurement.objects.filter(value=Decimal("0.5")).exists()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
