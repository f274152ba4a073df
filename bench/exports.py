"""Bulk data in and out: the full CSV export against COPY, the import against row-by-row.

Both leave the database as they found it: everything they write (copies of the budget
lines, a temporary auditor and its token, a throw-away plan with 2,500 indicators and the
imported measurements) happens inside a transaction that is rolled back.

    csv_export_vs_copy()     rows/s of GET /api/v1/budget/budget-lines/export/ (the real view,
                             through the test client, the streamed body consumed) next to
                             PostgreSQL's COPY (same SELECT) TO STDOUT WITH CSV
    import_vs_row_by_row()   rows/s of the quarterly import (MeasurementResource) of a 10,000
                             row workbook next to django-import-export's default ModelResource
"""

import io
import statistics
import time
from datetime import date

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

EXPORT_URL = "/api/v1/budget/budget-lines/export/"
EXPORT_MIN_ROWS = 500_000
EXPORT_TARGET = 0.3
IMPORT_ROWS = 10_000
IMPORT_TARGET = 2.0
RUNS = 3


class Rollback(Exception):
    """Raised at the end of a benchmark to undo everything it wrote."""


def _rolled_back(function):
    try:
        with transaction.atomic():
            result = function()
            raise Rollback
    except Rollback:
        return result


# --- export ----------------------------------------------------------------------------------


class NullSink:
    """A file that only counts what COPY writes into it."""

    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)


def _auditor_of_every_ambito():
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from core.roles import Role
    from governance.models import Ambito, Membership

    user = get_user_model().objects.create_user(username="bench-export-revisore")
    Membership.objects.bulk_create(
        [Membership(user=user, ambito=a, role=Role.AUDITOR) for a in Ambito.objects.all()]
    )
    return user, Token.objects.create(user=user)


def _multiply_lines(at_least):
    """Copies of every budget line until there are ``at_least`` (one INSERT … SELECT)."""
    from budget.models import BudgetLine

    present = BudgetLine.objects.count()
    if present == 0 or present >= at_least:
        return present
    copies = -(-(at_least - present) // present)
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(f.column) for f in BudgetLine._meta.concrete_fields if not f.primary_key
    )
    table = quote(BudgetLine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}, "  # noqa: S608
            "generate_series(1, %s)",
            [copies],
        )
        cursor.execute(f"ANALYZE {table}")  # the planner sees the rows it will read
    return BudgetLine.objects.count()


def _export_queryset(user):
    """The very queryset the export view streams for ``user`` (scoping, filters, order)."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    from exports.views import BudgetLineExportView

    view = BudgetLineExportView()
    request = Request(RequestFactory().get(EXPORT_URL))
    request.user = user
    view.request, view.args, view.kwargs, view.format_kwarg = request, (), {}, None
    return view.rows()


def _pull_export(client):
    started = time.perf_counter()
    response = client.get(EXPORT_URL, secure=True)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    # No response.close() here: the test client closes it when the body is exhausted, with
    # the handler that would close the connection (and end the rolled-back transaction) off.
    return time.perf_counter() - started, size, lines


def _copy(sql):
    sink = NullSink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH CSV HEADER", sink)
    return time.perf_counter() - started, sink.size


def _measure_export():
    from django.test import Client

    rows = _multiply_lines(EXPORT_MIN_ROWS)
    user, token = _auditor_of_every_ambito()
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", SERVER_NAME="localhost")
    queryset = _export_queryset(user)
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        sql = cursor.mogrify(sql, params).decode()
    _pull_export(client)  # warm: imports, caches, the rows in shared buffers
    with CaptureQueriesContext(connection) as captured:
        export_runs = [_pull_export(client) for _ in range(RUNS)]
    queries = len(captured.captured_queries) // RUNS
    copy_runs = [_copy(sql) for _ in range(RUNS)]
    export_s = statistics.median(run[0] for run in export_runs)
    copy_s = statistics.median(run[0] for run in copy_runs)
    lines = export_runs[-1][2]
    assert lines >= rows + 1, (lines, rows)  # every row came out (text may hold newlines)
    return {
        "rows": rows, "export_s": export_s, "copy_s": copy_s, "queries": queries,
        "export_mb": export_runs[-1][1] / 1e6, "copy_mb": copy_runs[-1][1] / 1e6,
    }


def csv_export_vs_copy():
    title = "Esportazione CSV completa delle righe di budget vs COPY di PostgreSQL"
    if connection.vendor != "postgresql":
        return title, [("database", connection.vendor),
                       ("risultato", "needs PostgreSQL: non misurato")], True
    m = _rolled_back(_measure_export)
    export_rate, copy_rate = m["rows"] / m["export_s"], m["rows"] / m["copy_s"]
    ratio = export_rate / copy_rate
    rows = [
        ("budget lines exported", f"{m['rows']:,}"),
        ("export via API (rows/s)", f"{export_rate:,.0f}"),
        ("  seconds, MB", f"{m['export_s']:.2f} s, {m['export_mb']:.1f} MB"),
        ("COPY … TO STDOUT CSV (rows/s)", f"{copy_rate:,.0f}"),
        ("  seconds, MB", f"{m['copy_s']:.2f} s, {m['copy_mb']:.1f} MB"),
        ("ratio export / COPY", f"{ratio:.3f}"),
        (f"target ratio >= {EXPORT_TARGET}", "ok" if ratio >= EXPORT_TARGET else "NOT MET"),
        ("database queries per export", str(m["queries"])),
        ("runs (median)", str(RUNS)),
    ]
    return title, rows, ratio >= EXPORT_TARGET


# --- import ----------------------------------------------------------------------------------


def measurement_plan(rows=IMPORT_ROWS, *, year=2090, per_objective=50):
    """A throw-away draft plan with ``rows / 4`` decimal indicators and a staff user."""
    from django.contrib.auth import get_user_model

    from core.roles import Role
    from governance.models import Ambito, Membership
    from indicators.models import Indicator
    from objectives.models import Objective, OperatingPlan, ZonePlan

    ambito = Ambito.objects.create(slug="bench-import", name="Ambito bench-import",
                                   region="Lombardia")
    zone_plan = ZonePlan.objects.create(ambito=ambito, title="PdZ bench", start_year=year,
                                        end_year=year + 2)
    plan = OperatingPlan.objects.create(zone_plan=zone_plan, year=year, title=f"PO {year} bench")
    user = get_user_model().objects.create_user(username="bench-import-ufficio")
    Membership.objects.create(user=user, ambito=ambito, role=Role.STAFF)
    objectives = Objective.objects.bulk_create(
        Objective(plan=plan, number=n + 1, title=f"Obiettivo {n + 1}")
        for n in range(-(-rows // 4 // per_objective))
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(objective=o, name=f"Indicatore {o.number}.{i}", position=i,
                  kind=Indicator.Kind.DECIMAL)
        for o in objectives for i in range(per_objective)
    )[: rows // 4]
    return plan, user, indicators


def measurement_workbook(indicators, year):
    """The four quarters of every indicator as the quarterly page's xlsx: one N.D. in ten."""
    import openpyxl

    ends = [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]
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
    return out.getvalue()


def default_measurement_resource():
    """django-import-export as it comes, on the same model and the same workbook.

    A plain ModelResource: the instance and the indicator looked up row by row (the default
    instance loader and ForeignKeyWidget), ``full_clean()`` on each instance, one ``save()``
    per row with its history record. Only what the workbook's words need is added (N.D. as
    a state, the Italian date, who made the change), none of our optimisations. It checks
    less than ours (no scope, no plan state, no period inside the plan's year).
    """
    from import_export import fields, resources, widgets

    from indicators.models import Indicator, Measurement
    from indicators.resources import STATE_WORDS

    class StateWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return STATE_WORDS[str(value or "").strip().casefold()]

    class DefaultMeasurementResource(resources.ModelResource):
        indicator = fields.Field(attribute="indicator", column_name="ID indicatore",
                                 widget=widgets.ForeignKeyWidget(Indicator))
        period_end = fields.Field(attribute="period_end", column_name="Rilevazione al",
                                  widget=widgets.DateWidget("%d/%m/%Y"))
        state = fields.Field(attribute="state", column_name="Stato", widget=StateWidget())
        value = fields.Field(attribute="value", column_name="Valore",
                             widget=widgets.DecimalWidget())
        note = fields.Field(attribute="note", column_name="Nota", widget=widgets.CharWidget())

        class Meta:
            model = Measurement
            fields = ("indicator", "period_end", "state", "value", "note")
            import_id_fields = ("indicator", "period_end")
            clean_model_instances = True
            use_transactions = True

        def __init__(self, *, user):
            super().__init__()
            self.user = user

        def before_save_instance(self, instance, row, **kwargs):
            instance._history_user = self.user
            instance._change_reason = "Importazione da file"

    return DefaultMeasurementResource


def _timed_import(make_resource, dataset, user):
    """One confirmed import of ``dataset``, undone afterwards: seconds, queries, rows written."""
    from core.entry.imports import has_problems, run_import
    from indicators.models import Measurement

    def run():
        before = Measurement.history.count()
        counted = []

        def count(execute, sql, params, many, context):
            counted.append(1)  # a counter: the query log keeps only the last 9,000
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = run_import(make_resource(), dataset, user=user, dry_run=False)
            elapsed = time.perf_counter() - started
        assert not has_problems(result), result.invalid_rows[:3] or result.base_errors[:3]
        written = result.totals.get("new", 0) + result.totals.get("update", 0)
        assert Measurement.history.count() - before == written  # one history row each
        return elapsed, len(counted), written

    return _rolled_back(run)


def _measure_import():
    from core.entry.imports import has_problems, read_dataset, run_import
    from indicators.resources import MeasurementResource

    plan, user, indicators = measurement_plan(IMPORT_ROWS)
    dataset = read_dataset("bench.xlsx", measurement_workbook(indicators, plan.year))
    baseline = default_measurement_resource()
    ours_runs = [_timed_import(lambda: MeasurementResource(user=user, plan=plan), dataset, user)
                 for _ in range(RUNS)]
    # The preview validates every row without writing: what the user waits for first.
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        preview = run_import(MeasurementResource(user=user, plan=plan), dataset, user=user,
                             dry_run=True)
        preview_s = time.perf_counter() - started
    assert not has_problems(preview)
    default_run = _timed_import(lambda: baseline(user=user), dataset, user)
    return {
        "rows": len(dataset), "ours": ours_runs, "default": default_run,
        "preview_s": preview_s, "preview_queries": len(captured.captured_queries),
    }


def import_vs_row_by_row():
    title = (f"Importazione di {IMPORT_ROWS:,} rilevazioni (xlsx) vs django-import-export "
             "riga per riga").replace(",", ".")
    m = _rolled_back(_measure_import)
    ours_s = statistics.median(run[0] for run in m["ours"])
    default_s, default_queries, default_written = m["default"]
    ours_rate, default_rate = m["rows"] / ours_s, m["rows"] / default_s
    ratio = ours_rate / default_rate
    rows = [
        ("workbook rows", f"{m['rows']:,}"),
        ("ours: confirmed import (rows/s)", f"{ours_rate:,.0f}"),
        ("  seconds, queries", f"{ours_s:.2f} s, {m['ours'][-1][1]}"),
        ("  preview (validation only) s, queries",
         f"{m['preview_s']:.2f} s, {m['preview_queries']}"),
        ("default row by row (rows/s)", f"{default_rate:,.0f}"),
        ("  seconds, queries", f"{default_s:.2f} s, {default_queries}"),
        ("ratio ours / default", f"{ratio:.2f}"),
        (f"target ratio >= {IMPORT_TARGET}", "ok" if ratio >= IMPORT_TARGET else "NOT MET"),
        ("rows written, with history, each", f"{m['ours'][-1][2]:,} / {default_written:,}"),
        ("database", connection.vendor),
        ("runs (ours median; default once)", str(RUNS)),
    ]
    return title, rows, ratio >= IMPORT_TARGET
