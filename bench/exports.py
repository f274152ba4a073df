"""Bulk data in and out against honest baselines, on the run's scratch copy of the database.

    export_baselines()   the auditor's full CSV export through the app's HTTP stack (test
                         client, token, the streamed body consumed) against
                         ``COPY (SELECT <the same columns, plain joins>) TO STDOUT`` and
                         ``COPY budget_budgetline TO STDOUT``; also the export with PostgreSQL's
                         JIT on (the app's connections have it off) and COPY of the app's own
                         SQL. Alternated, ``RUNS`` each, median and spread.
    jit_chunk()          one 50,000-row chunk of the export (EXPLAIN ANALYZE) with JIT on / off.
    import_vs_bulk()     the quarterly import of a 10,000-row workbook against
                         django-import-export's ModelResource in its bulk mode (use_bulk=True),
                         alternated, each run rolled back then VACUUM ANALYZE of what it touched.

Everything runs inside a bench worker (bench/scale.py), Django bound to the scratch copy.
"""

import io
import json
import time
from datetime import date

from django.db import connection, transaction

from bench.stats import median_spread

EXPORT_URL = "/api/v1/budget/budget-lines/export/"
EXPORT_TARGET = 0.5  # export rate >= 0.5 × plain COPY of the same columns
IMPORT_ROWS = 10_000
IMPORT_TARGET = 2.0  # our import rate >= 2 × django-import-export bulk
RUNS = 5


class Rollback(Exception):
    """Raised at the end of a measured write to undo it."""


def vacuum(*tables):
    """VACUUM ANALYZE (outside any transaction): no dead rows, fresh statistics."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            # SQLite, or inside a transaction (a test building the bench's data sets), where
            # VACUUM cannot run: fresh statistics are all it needs.
            cursor.execute("ANALYZE")
            return
        # This backend's counts of rows it updated or deleted reach the shared statistics at
        # most once a second: flushed after the VACUUM, they would show as dead rows again
        # (a write shorter than a second, as the returns' reference data at 1 ambito).
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT 1")
        if not tables:
            cursor.execute("VACUUM ANALYZE")
        for table in tables:
            cursor.execute(f'VACUUM ANALYZE "{table}"')


def dead_rows():
    """Dead rows per table as PostgreSQL counts them now (tables with some)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, n_dead_tup FROM pg_stat_user_tables "
                       "WHERE n_dead_tup > 0 ORDER BY relname")
        return dict(cursor.fetchall())


# --- export ----------------------------------------------------------------------------------


class NullSink:
    """A file that only counts what COPY writes into it."""

    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)


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


def _sql_of(queryset):
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        return cursor.mogrify(sql, params).decode()


def plain_sql():
    """The export's 20 columns with plain joins: no scope, no escaping, no text casts.

    The area di utenza as a plain SQL would write it: the codes grouped once per line and
    once per action (``string_agg``, by code), the line's own else its action's.
    """
    from budget.models import BudgetLine, FundingChannel, Variation
    from classification.models import Assignment, Code, Dimension
    from objectives.models import Action, Objective, OperatingPlan, ZonePlan

    t = {m: m._meta.db_table for m in (BudgetLine, FundingChannel, Variation, Action, Objective,
                                       OperatingPlan, ZonePlan, Assignment, Code, Dimension)}

    def codes(key, condition):
        return (f"SELECT ca.{key}, string_agg(cc.code || ' ' || trim_scale(ca.share)::text, "  # noqa: S608
                f"';' ORDER BY cc.code) AS codes FROM {t[Assignment]} ca "
                f"JOIN {t[Code]} cc ON cc.id = ca.code_id "
                f"JOIN {t[Dimension]} cd ON cd.id = ca.dimension_id "
                f"WHERE cd.code = 'area_utenza' AND {condition} GROUP BY ca.{key}")

    return (
        "SELECT bl.id, zp.ambito_id, o.plan_id, p.year, a.objective_id, o.number, o.title, "  # noqa: S608
        "bl.action_id, a.number, a.title, bl.item, bl.note, bl.channel_id, fc.code, "
        "bl.preventivo, bl.preventivo - COALESCE(v.diff, 0), bl.consuntivo, bl.source_note, "
        f"bl.position, COALESCE(cl.codes, cact.codes) FROM {t[BudgetLine]} bl "
        f"JOIN {t[Action]} a ON a.id = bl.action_id "
        f"JOIN {t[Objective]} o ON o.id = a.objective_id "
        f"JOIN {t[OperatingPlan]} p ON p.id = o.plan_id "
        f"JOIN {t[ZonePlan]} zp ON zp.id = p.zone_plan_id "
        f"LEFT JOIN {t[FundingChannel]} fc ON fc.id = bl.channel_id "
        f"LEFT JOIN (SELECT line_id, SUM(new_amount - previous_amount) AS diff "
        f"FROM {t[Variation]} GROUP BY line_id) v ON v.line_id = bl.id "
        f"LEFT JOIN ({codes('line_id', 'ca.line_id IS NOT NULL')}) cl ON cl.line_id = bl.id "
        f"LEFT JOIN ({codes('action_id', 'ca.line_id IS NULL')}) cact "
        f"ON cact.action_id = bl.action_id ORDER BY bl.id"
    )


def _copy(sql):
    """A baseline COPY: one statement, so without the web process's statement timeout."""
    sink = NullSink()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.copy_expert(f"COPY {sql} TO STDOUT WITH CSV HEADER", sink)
    return time.perf_counter() - started, sink.size


def with_jit(options, on):
    """libpq ``options`` with ``-c jit=…`` replaced (the other settings kept)."""
    tokens, out, i = options.split(), [], 0
    while i < len(tokens):
        if tokens[i] == "-c" and i + 1 < len(tokens) and tokens[i + 1].startswith("jit="):
            i += 2
            continue
        out.append(tokens[i])
        i += 1
    return " ".join([*out, "-c", f"jit={'on' if on else 'off'}"])


def set_jit(on):
    """The app's connection option for JIT; the connection is reopened with it."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    options["options"] = with_jit(options.get("options", ""), on)
    connection.close()


def current_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        return cursor.fetchone()[0]


def _pull(client):
    started = time.perf_counter()
    response = client.get(EXPORT_URL, secure=True)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    response.close()
    return time.perf_counter() - started, size, lines


def export_baselines(user, runs=RUNS):
    """The auditor of every ambito exports every budget line; the baselines, alternated."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from budget.models import BudgetLine

    token, _created = Token.objects.get_or_create(user=user)
    vacuum(Token._meta.db_table)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", SERVER_NAME="localhost")
    rows = BudgetLine.objects.count()
    app_sql = _sql_of(_export_queryset(user))
    table = BudgetLine._meta.db_table
    variants = {
        "http": lambda: _pull(client)[:2],
        "plain": lambda: _copy(f"({plain_sql()})"),
        "table": lambda: _copy(f'"{table}"'),
        "app_sql": lambda: _copy(f"({app_sql})"),
        "http_jit": None,
    }

    def http_jit_on():
        set_jit(True)
        try:
            assert current_jit() == "on"
            return _pull(client)[:2]
        finally:
            set_jit(False)

    variants["http_jit"] = http_jit_on
    _seconds, _size, lines = _pull(client)  # warm: imports, caches, shared buffers
    assert lines == rows + 1, (lines, rows)  # the header and every row (no newline in cells)
    for name in ("plain", "table"):
        variants[name]()
    with CaptureQueriesContext(connection) as captured:
        _pull(client)
    queries = len(captured.captured_queries)
    times = {name: [] for name in variants}
    sizes = {}
    # The target's three alternated ``runs`` times; the two references (JIT on, the app's
    # own SQL under COPY) once each in the middle of them, to save minutes at 600 ambiti.
    references = {"app_sql", "http_jit"}
    for index in range(runs):
        for name, function in variants.items():
            if name in references and index != runs // 2:
                continue
            seconds, size = function()
            times[name].append(seconds)
            sizes[name] = size
    assert current_jit() == "off"
    return {"rows": rows, "times": times, "sizes": sizes, "queries": queries,
            "runs": runs}


def export_table(m):
    def rate(name):
        median, low, high = median_spread(m["times"][name])
        rows = m["rows"]
        return (f"{rows / median:>9,.0f} righe/s  {median:6.2f} s "
                f"[{low:.2f}–{high:.2f}]  {m['sizes'][name] / 1e6:6.1f} MB")

    plain = median_spread(m["times"]["plain"])[0]
    http = median_spread(m["times"]["http"])[0]
    ratio = plain / http
    # The ratio's spread: the slowest HTTP run against the fastest plain COPY and back.
    ratio_low = min(m["times"]["plain"]) / max(m["times"]["http"])
    ratio_high = max(m["times"]["plain"]) / min(m["times"]["http"])
    jit_on = median_spread(m["times"]["http_jit"])[0]
    ok = ratio >= EXPORT_TARGET
    rows = [
        ("righe di budget esportate (tutte)", f"{m['rows']:,}"),
        ("esportazione HTTP (revisore di ogni ambito)", rate("http")),
        ("COPY (SELECT stesse colonne, join semplici)", rate("plain")),
        ("COPY budget_budgetline (tabella intera)", rate("table")),
        ("COPY della SELECT dell'app (riferimento)", rate("app_sql")),
        ("esportazione HTTP con JIT attivo", rate("http_jit")),
        ("JIT attivo / spento (tempo)", f"{jit_on / http:.2f}×"),
        ("rapporto HTTP / COPY stesse colonne", f"{ratio:.3f} [{ratio_low:.3f}–{ratio_high:.3f}]"),
        (f"obiettivo >= {EXPORT_TARGET}", "MET" if ok else "NOT MET"),
        ("query per esportazione", str(m["queries"])),
        ("esecuzioni alternate (mediana [min–max])",
         f"{m['runs']} (JIT attivo e SELECT dell'app: 1)"),
    ]
    return "Esportazione CSV completa vs COPY", rows, ok


JIT_SAMPLE_ROWS = 50_000


def jit_chunk(user, runs=RUNS):
    """The export's SELECT over its first 50,000 ids, EXPLAIN ANALYZE, JIT on / off. (The
    export itself is now one streamed COPY, no chunks (exports/views.py): this sample shows
    the compile cost on a plan of its shape; the full export with JIT on is timed over HTTP
    in export_baselines.)"""
    from budget.models import BudgetLine

    low = BudgetLine.objects.order_by("pk").values_list("pk", flat=True).first() - 1
    chunk = _export_queryset(user).filter(pk__gt=low, pk__lte=low + JIT_SAMPLE_ROWS)
    sql = _sql_of(chunk)
    out = {"on": [], "off": [], "jit_ms": [], "cost": None}
    for _ in range(runs):
        for jit in ("on", "off"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL jit = {jit}")
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            total = plan["Planning Time"] + plan["Execution Time"]
            out[jit].append(total)
            if jit == "on":
                out["jit_ms"].append(plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0))
            out["cost"] = plan["Plan"]["Total Cost"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit_above_cost")
        threshold = cursor.fetchone()[0]
    on, off, jit = (median_spread(out[k]) for k in ("on", "off", "jit_ms"))
    rows = [
        ("campione dell'esportazione (primi id)", f"{JIT_SAMPLE_ROWS:,}"),
        ("costo stimato del piano / jit_above_cost", f"{out['cost']:,.0f} / {threshold}"),
        ("JIT attivo (ms)", f"{on[0]:.0f} [{on[1]:.0f}–{on[2]:.0f}]"),
        ("  di cui compilazione JIT (ms)", f"{jit[0]:.0f} [{jit[1]:.0f}–{jit[2]:.0f}]"),
        ("JIT spento, come l'app (ms)", f"{off[0]:.0f} [{off[1]:.0f}–{off[2]:.0f}]"),
        ("esecuzioni alternate", str(runs)),
    ]
    return "JIT: la SELECT dell'esportazione sui primi id (EXPLAIN ANALYZE)", rows, True


# --- import ----------------------------------------------------------------------------------


def measurement_plan(rows=IMPORT_ROWS, *, year=2090, per_objective=50):
    """A draft plan with ``rows / 4`` decimal indicators and a staff user (committed on the
    scratch copy, then VACUUM ANALYZE)."""
    from django.contrib.auth import get_user_model

    from core.roles import Role
    from governance.models import Ambito, Membership
    from indicators.models import Indicator
    from objectives.models import Objective, OperatingPlan, ZonePlan

    with transaction.atomic():
        ambito = Ambito.objects.create(slug="bench-import", name="Ambito bench-import",
                                       region="Lombardia")
        zone_plan = ZonePlan.objects.create(ambito=ambito, title="PdZ bench", start_year=year,
                                            end_year=year + 2)
        plan = OperatingPlan.objects.create(zone_plan=zone_plan, year=year,
                                            title=f"PO {year} bench")
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
    vacuum()
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


def bulk_measurement_resource():
    """django-import-export in its bulk mode on the same model and workbook.

    A plain ModelResource with ``use_bulk=True`` (batches of 1,000, as ours): the instance
    and the indicator looked up row by row (the default instance loader, ForeignKeyWidget),
    ``full_clean()`` on each instance, then ``bulk_create``. Only what the workbook's words
    need is added (N.D. as a state, the Italian date). It does less than ours: no scope, no
    plan state, no period inside the plan's year, and no history (bulk_create bypasses
    django-simple-history; ours writes one history row per measurement).
    """
    from import_export import fields, resources, widgets

    from indicators.models import Indicator, Measurement
    from indicators.resources import STATE_WORDS

    class StateWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return STATE_WORDS[str(value or "").strip().casefold()]

    class BulkMeasurementResource(resources.ModelResource):
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
            use_bulk = True
            batch_size = 1000

        def __init__(self, *, user):
            super().__init__()
            self.user = user

    return BulkMeasurementResource


def _timed_import(make_resource, dataset, user):
    """One confirmed import of ``dataset``, rolled back, then VACUUM ANALYZE of the tables it
    wrote: seconds, queries, rows written."""
    from core.entry.imports import has_problems, run_import
    from indicators.models import Measurement

    counted = []

    def count(execute, sql, params, many, context):
        counted.append(1)  # a counter: the query log keeps only the last 9,000
        return execute(sql, params, many, context)

    result = {}
    try:
        with transaction.atomic():
            before = Measurement.objects.count()
            with connection.execute_wrapper(count):
                started = time.perf_counter()
                imported = run_import(make_resource(), dataset, user=user, dry_run=False)
                result["seconds"] = time.perf_counter() - started
            assert not has_problems(imported), (imported.invalid_rows[:3]
                                                or imported.base_errors[:3])
            result["written"] = Measurement.objects.count() - before
            result["history"] = Measurement.history.filter(indicator__objective__plan__year=2090
                                                           ).count()
            raise Rollback
    except Rollback:
        pass
    vacuum(Measurement._meta.db_table, Measurement.history.model._meta.db_table)
    result["queries"] = len(counted)
    return result


def import_vs_bulk(runs=RUNS, baseline_runs=1):
    from core.entry.imports import read_dataset
    from indicators.resources import MeasurementResource

    plan, user, indicators = measurement_plan(IMPORT_ROWS)
    dataset = read_dataset("bench.xlsx", measurement_workbook(indicators, plan.year))
    baseline = bulk_measurement_resource()
    ours, theirs = [], []
    # Alternated; the baseline (8 queries a row, minutes on a loaded machine) fewer times.
    for index in range(max(runs, baseline_runs)):
        if index < runs:
            ours.append(_timed_import(lambda: MeasurementResource(user=user, plan=plan),
                                      dataset, user))
        if index < baseline_runs:
            theirs.append(_timed_import(lambda: baseline(user=user), dataset, user))
    rows_in = len(dataset)
    o = median_spread([r["seconds"] for r in ours])
    t = median_spread([r["seconds"] for r in theirs])
    ratio = t[0] / o[0]
    ok = ratio >= IMPORT_TARGET
    rows = [
        ("righe del file", f"{rows_in:,}"),
        ("nostra importazione confermata",
         f"{rows_in / o[0]:,.0f} righe/s  {o[0]:.2f} s [{o[1]:.2f}–{o[2]:.2f}]  "
         f"{ours[-1]['queries']} query"),
        ("django-import-export use_bulk=True",
         f"{rows_in / t[0]:,.0f} righe/s  {t[0]:.2f} s [{t[1]:.2f}–{t[2]:.2f}]  "
         f"{theirs[-1]['queries']} query"),
        ("rapporto nostra / bulk", f"{ratio:.2f} [{t[1] / o[2]:.2f}–{t[2] / o[1]:.2f}]"),
        (f"obiettivo >= {IMPORT_TARGET}", "MET" if ok else "NOT MET"),
        ("righe scritte (nostra / bulk)", f"{ours[-1]['written']:,} / {theirs[-1]['written']:,}"),
        ("righe di storico (nostra / bulk)",
         f"{ours[-1]['history']:,} / {theirs[-1]['history']:,}"),
        ("esecuzioni alternate (nostra / bulk)", f"{runs} / {baseline_runs}"),
    ]
    return f"Importazione di {rows_in:,} rilevazioni (xlsx)".replace(",", "."), rows, ok
