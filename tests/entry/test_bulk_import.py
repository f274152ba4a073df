"""Large measurement imports: all rows with their history, or none; queries do not grow."""

import math
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import AutoField
from django.test.utils import CaptureQueriesContext

from bench.exports import measurement_plan, measurement_workbook
from core.entry.imports import has_problems, read_dataset, run_import
from core.entry.spreadsheets import import_messages
from indicators.models import Measurement
from indicators.resources import MeasurementResource
from objectives.models import OperatingPlan
from tests.builders import set_plan_state

REASON = "Importazione da file"


def dataset_of(indicators, year, *, bad_row=None):
    dataset = read_dataset("rilevazioni.xlsx", measurement_workbook(indicators, year))
    if bad_row is not None:
        values = list(dataset[bad_row - 2])  # row 1 is the header
        values[3] = "circa dieci"
        dataset[bad_row - 2] = values
    return dataset


def history_of(plan):
    return Measurement.history.filter(indicator__objective__plan=plan)


@pytest.fixture
def big(db):
    plan, user, indicators = measurement_plan(10_000, year=2031)
    return plan, user, indicators


def test_ten_thousand_rows_are_all_written_each_with_its_history(big):
    plan, user, indicators = big
    dataset = dataset_of(indicators, plan.year)
    assert len(dataset) == 10_000
    preview = run_import(MeasurementResource(user=user, plan=plan), dataset, user=user,
                         dry_run=True)
    assert not has_problems(preview) and preview.totals["new"] == 10_000
    assert not Measurement.objects.filter(indicator__objective__plan=plan).exists()

    result = run_import(MeasurementResource(user=user, plan=plan), dataset, user=user,
                        dry_run=False)
    assert not has_problems(result) and result.totals["new"] == 10_000
    written = Measurement.objects.filter(indicator__objective__plan=plan)
    assert written.count() == 10_000
    assert written.filter(state="nd").count() == len(indicators) // 10
    first = written.get(indicator=indicators[1], period_end=date(plan.year, 3, 31))
    assert first.value == Decimal("1.5") and first.state == "value"
    records = history_of(plan)
    assert records.count() == 10_000
    assert set(records.values_list("history_type", "history_user", "history_change_reason")
               .distinct()) == {("+", user.pk, REASON)}
    assert set(records.values_list("id", flat=True)) == set(written.values_list("pk", flat=True))


def test_a_second_import_records_each_change_and_skips_the_unchanged(big):
    plan, user, indicators = big
    indicators = indicators[:50]
    dataset = dataset_of(indicators, plan.year)
    run_import(MeasurementResource(user=user, plan=plan), dataset, user=user, dry_run=False)
    changed = dataset_of(indicators, plan.year)
    values = list(changed[0])
    values[3] = 42
    changed[0] = values
    result = run_import(MeasurementResource(user=user, plan=plan), changed, user=user,
                        dry_run=False)
    assert not has_problems(result)
    assert (result.totals["update"], result.totals["skip"]) == (1, 199)
    measurement = Measurement.objects.get(indicator=indicators[0],
                                          period_end=date(plan.year, 3, 31))
    latest, previous = measurement.history.order_by("-history_id")[:2]
    assert (latest.history_type, latest.value, previous.value) == ("~", 42, Decimal("0.5"))
    assert latest.history_user == user and latest.history_change_reason == REASON
    assert history_of(plan).count() == 201


def test_one_bad_row_refuses_the_whole_file_and_names_it(big):
    plan, user, indicators = big
    dataset = dataset_of(indicators, plan.year, bad_row=7_502)
    before = Measurement.history.count()
    result = run_import(MeasurementResource(user=user, plan=plan), dataset, user=user,
                        dry_run=False)
    assert has_problems(result)
    assert import_messages(result, MeasurementResource(user=user, plan=plan)) == [
        "Riga 7502, colonna «Valore»: Il valore «circa dieci» non è un numero valido: "
        "scrivi ad esempio 1.234,56."
    ]
    assert not Measurement.objects.filter(indicator__objective__plan=plan).exists()
    assert Measurement.history.count() == before


def test_a_closed_plan_refuses_the_file_and_keeps_its_data(big):
    plan, user, indicators = big
    dataset = dataset_of(indicators[:10], plan.year)
    set_plan_state(plan, OperatingPlan.State.CLOSED)
    plan.refresh_from_db()
    result = run_import(MeasurementResource(user=user, plan=plan), dataset, user=user,
                        dry_run=False)
    messages = import_messages(result, MeasurementResource(user=user, plan=plan))
    assert len(messages) == 40
    assert messages[0] == (
        f"Riga 2: Il {plan.title} è chiuso (consuntivo): i dati sono in sola lettura."
    )
    assert not Measurement.objects.filter(indicator__objective__plan=plan).exists()


def test_a_period_outside_the_plan_year_is_refused(big):
    plan, user, indicators = big
    dataset = read_dataset("r.xlsx", measurement_workbook(indicators[:1], plan.year + 1))
    result = run_import(MeasurementResource(user=user, plan=plan), dataset, user=user,
                        dry_run=False)
    messages = import_messages(result, MeasurementResource(user=user, plan=plan))
    assert messages[0] == (
        f"Riga 2, colonna «Rilevazione al»: le rilevazioni del {plan.year} sono al 31/03, "
        f"30/06, 30/09 o 31/12 del {plan.year}."
    )
    assert not Measurement.objects.filter(indicator__objective__plan=plan).exists()


def _import_queries(plan, user, indicators):
    user = type(user).objects.get(pk=user.pk)  # as in a new request: its roles not yet loaded
    dataset = dataset_of(indicators, plan.year)
    with CaptureQueriesContext(connection) as captured:
        result = run_import(MeasurementResource(user=user, plan=plan), dataset, user=user,
                            dry_run=False)
    assert not has_problems(result)
    return result.totals["new"], captured.captured_queries


def statements(queries):
    return [q["sql"].split(" ", 1)[0] for q in queries if "SAVEPOINT" not in q["sql"]]


def inserts_into(queries, model):
    table = connection.ops.quote_name(model._meta.db_table)
    return sum(1 for q in queries if q["sql"].startswith(f"INSERT INTO {table} "))


def insert_statements_for(model, rows):
    """INSERT statements ``bulk_create`` needs for ``rows`` new rows of ``model`` sent in one
    batch of up to 1,000 (MeasurementResource's batch_size).

    Database-specific: PostgreSQL takes the whole batch in one statement; SQLite allows 999
    bound variables per statement, so Django splits the batch into statements of 999 //
    columns rows (``connection.ops.bulk_batch_size``), a number of statements that grows with
    the rows.
    """
    columns = [f for f in model._meta.concrete_fields
               if not f.generated and not isinstance(f, AutoField)]
    per_statement = min(1000, connection.ops.bulk_batch_size(columns, [None] * rows))
    return math.ceil(rows / per_statement)


def test_query_count_is_the_same_for_100_and_1000_rows(big):
    """The same statements for 100 and 1,000 rows, save the INSERTs of the rows and of their
    history: one per table on PostgreSQL, on SQLite exactly as many as its limit of bound
    variables demands (``insert_statements_for``), which grows with the rows."""
    plan, user, indicators = big
    few_rows, few = _import_queries(plan, user, indicators[:25])
    many_rows, many = _import_queries(plan, user, indicators[25:275])
    assert (few_rows, many_rows) == (100, 1000)
    for model in (Measurement, Measurement.history.model):
        for rows, queries in ((few_rows, few), (many_rows, many)):
            assert inserts_into(queries, model) == insert_statements_for(model, rows), \
                (connection.vendor, model.__name__, rows)
    # Savepoints aside (one more when the rows fill a batch exactly), the same statements.
    if connection.vendor == "postgresql":
        assert statements(few) == statements(many)
        extra_inserts = 0
    else:
        assert connection.vendor == "sqlite"
        assert [s for s in statements(few) if s != "INSERT"] == \
            [s for s in statements(many) if s != "INSERT"]
        extra_inserts = statements(many).count("INSERT") - statements(few).count("INSERT")
        assert extra_inserts > 0
    assert len(few) <= 20 and len(many) - extra_inserts <= 20
