"""The full CSV exports: every visible row once, scoped, escaped, to the cent, streamed."""

import csv
import io
import threading
from datetime import timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.settings import api_settings

from budget.models import BudgetLine, FundingChannel
from core.api.renderers import escape_formula
from core.roles import Role
from exports import views as exports
from governance.models import Ambito, Membership
from indicators.models import Measurement

from ..builders import make_user
from .conftest import client_for, list_url

EXPORT = "/api/v1/budget/budget-lines/export/"
MEASUREMENTS = "/api/v1/indicators/measurements/export/"
ROLES_ALLOWED = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a"]


def streamed(response):
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def paginated_csv(client, url, params):
    rows, page = [], 1
    while True:
        response = client.get(url, {**params, "format": "csv", "page_size": 1000, "page": page})
        got = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
        rows += got if page == 1 else got[1:]
        if 'rel="next"' not in response.get("Link", ""):
            return rows
        page += 1


@pytest.mark.parametrize("role", ROLES_ALLOWED)
def test_every_visible_line_exactly_once_and_none_of_another_ambito(world, role):
    user = world.user(role)
    BudgetLine.objects.create(action=world.a[BudgetLine].action, item="Altra voce",
                              preventivo=Decimal("1.00"), position=9)
    rows = as_dicts(streamed(client_for(user).get(EXPORT)))
    ids = [int(row["id"]) for row in rows]
    visible = set(BudgetLine.objects.restrict(user, "view").values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) and set(ids) == visible
    own = {"staff_b": world.b.ambito.pk}.get(role, world.a.ambito.pk)
    if role != "superuser":
        assert {int(row["ambito"]) for row in rows} == {own}
        other = world.a if role == "staff_b" else world.b
        assert not visible & set(
            BudgetLine.objects.filter(action__objective__plan__zone_plan__ambito=other.ambito)
            .values_list("pk", flat=True))
    else:
        assert len(ids) == BudgetLine.objects.count()


def test_anonymous_is_refused_with_a_structured_error(world):
    response = client_for().get(EXPORT)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_user_without_a_role_is_refused(world):
    response = client_for(world.user("nobody")).get(EXPORT)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Non hai un ruolo in alcun ambito: non ci sono dati che tu possa consultare."
    }


def test_export_is_read_only(world):
    client = client_for(world.user("superuser"))
    count = BudgetLine.objects.count()
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(EXPORT, {}).status_code == 405
    assert BudgetLine.objects.count() == count


def test_same_columns_and_values_as_every_page_of_the_list(world, auditor_client):
    exported = streamed(auditor_client.get(EXPORT))
    paged = paginated_csv(auditor_client, list_url("budget-budgetline"), {"ordering": "id"})
    assert exported[0] == paged[0]
    assert exported == paged


def test_formula_cells_are_escaped_and_numbers_are_not(world, auditor_client):
    line = world.a[BudgetLine]
    line.item = '=HYPERLINK("http://x")'
    line.note = "@SUM(A1)"
    line.source_note = "+39 0373 000000"
    line.save()
    row = next(r for r in as_dicts(streamed(auditor_client.get(EXPORT)))
               if r["id"] == str(line.pk))
    assert row["item"] == "'=HYPERLINK(\"http://x\")"
    assert row["note"] == "'@SUM(A1)"
    assert row["source_note"] == "'+39 0373 000000"
    assert row["preventivo"] == "10.05" and row["consuntivo"] == ""
    plain = BudgetLine.objects.create(action=line.action, item="-sconto", note="-12.50",
                                      preventivo=Decimal("0.00"), position=5)
    row = next(r for r in as_dicts(streamed(auditor_client.get(EXPORT)))
               if r["id"] == str(plain.pk))
    assert (row["item"], row["note"]) == ("'-sconto", "-12.50")


def test_filters_are_those_of_the_list(world):
    client = client_for(world.user("superuser"))
    params = {"ambito": world.b.ambito.slug, "channel_code": "FNPS"}
    line = world.b[BudgetLine]
    line.channel = world.b[FundingChannel]
    line.save()
    exported = {row["id"] for row in as_dicts(streamed(client.get(EXPORT, params)))}
    listed = {str(row["id"]) for row in client.get(
        list_url("budget-budgetline"), {**params, "page_size": 1000}).json()["results"]}
    assert exported == listed
    everything = {row["id"] for row in as_dicts(streamed(client.get(EXPORT)))}
    assert exported == {str(line.pk)} and exported < everything


def test_a_bad_filter_is_a_400_before_any_row(world, auditor_client):
    response = auditor_client.get(EXPORT, {"year": "duemila"})
    assert response.status_code == 400
    assert response.json() == {"year": ["Inserisci un numero intero."]}


def test_a_json_accept_header_still_gets_the_file(world, auditor_client):
    response = auditor_client.get(EXPORT, HTTP_ACCEPT="application/json")
    assert streamed(response)[0][:3] == ["id", "ambito", "plan"]
    assert response["Content-Disposition"] == 'attachment; filename="righe-di-budget.csv"'


def test_po_2015_lines_add_up_to_the_document_to_the_cent(db):
    user = make_user("revisore.export")
    Membership.objects.create(user=user, ambito=Ambito.objects.get(slug="cremasco"),
                              role=Role.AUDITOR)
    rows = as_dicts(streamed(client_for(user).get(EXPORT, {"ambito": "cremasco",
                                                           "year": 2015})))
    assert sum(Decimal(row["preventivo"]) for row in rows) == Decimal("6836696.91")
    assert all(row["preventivo"] == f"{Decimal(row['preventivo']):.2f}" for row in rows)


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        rows = streamed(client.get(EXPORT))
    return len(rows) - 1, len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_lines(world):
    client = client_for(world.user("auditor_a"))
    action = world.a[BudgetLine].action
    BudgetLine.objects.bulk_create(
        BudgetLine(action=action, item=f"Voce {n}", preventivo=Decimal("1.00"), position=n)
        for n in range(300)
    )
    few_rows, few_queries = _queries(client)
    BudgetLine.objects.bulk_create(
        BudgetLine(action=action, item=f"Altra {n}", preventivo=Decimal("1.00"), position=n)
        for n in range(few_rows)
    )
    many_rows, many_queries = _queries(client)
    assert many_rows == 2 * few_rows
    assert many_queries == few_queries


def test_the_export_is_throttled_like_the_lists(world):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/hour"}
    client = client_for(world.user("auditor_a"))
    with override_settings(REST_FRAMEWORK={
        **api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates
    }):
        codes = [client.get(EXPORT).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert client.get(list_url("budget-budgetline")).status_code == 429


def test_measurement_export_is_scoped_and_agrees_with_the_list(world, auditor_client):
    exported = streamed(auditor_client.get(MEASUREMENTS))
    paged = paginated_csv(auditor_client, list_url("indicators-measurement"), {"ordering": "id"})
    assert exported == paged
    ids = {int(row["id"]) for row in as_dicts(exported)}
    assert world.a[Measurement].pk in ids and world.b[Measurement].pk not in ids


def test_the_exports_are_in_the_schema_as_csv_files():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for url in (EXPORT, MEASUREMENTS):
        operation = paths[url]["get"]
        assert list(operation["responses"]["200"]["content"]) == ["text/csv"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert "format" not in names and "page" not in names
    assert {"ambito", "year", "plan", "channel_code"} <= {
        parameter["name"] for parameter in paths[EXPORT]["get"]["parameters"]
    }


# Cells where COPY's CSV and the csv module could differ: quoting, newlines inside a cell
# (also as the last cell of a chunk), empty string against NULL, formulas, the end-of-data
# marker of COPY, text that is not ASCII.
AWKWARD = [
    "a,b", 'dice "ciao"', "riga 1\nriga 2", "riga 1\r\nriga 2", "cr\rsolo", "", "\n",
    '=HYPERLINK("x")', "-2+3", "-12.50", "+39 0373", "@SUM(A1)", "\tTab", "perché €",
    "\\.", '"', '""', ",", " spazi ", "'apice", "fine\n",
]


def awkward_rows(world):
    """Budget lines and measurements of ambito alfa holding every awkward cell, in a row."""
    line, channel = world.a[BudgetLine], world.a[FundingChannel]
    measurement = world.a[Measurement]
    ids = {EXPORT: [], MEASUREMENTS: []}
    for n, text in enumerate(AWKWARD):
        other = AWKWARD[-1 - n]
        ids[EXPORT].append(BudgetLine.objects.create(
            action=line.action, item=text, note=other, source_note=text + other,
            channel=channel if n % 2 else None, preventivo=Decimal(n) / 100,
            consuntivo=Decimal("1234.50") if n % 3 else None, position=n,
        ).pk)
        ids[MEASUREMENTS].append(Measurement.objects.create(
            indicator=measurement.indicator,
            period_end=measurement.period_end + timedelta(days=n + 1),
            state="nd" if text == "" else "value",
            value=Decimal("1.2345") * n if n % 2 and text else None, text_value=text,
            note=other,
        ).pk)
    return ids


def export_body(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
    return body, sum(q["sql"].startswith("COPY") for q in captured.captured_queries)


@pytest.mark.parametrize("url", [EXPORT, MEASUREMENTS])
@pytest.mark.parametrize("piece_bytes", [exports.PIECE_BYTES, 1, 200])
def test_copy_writes_the_very_bytes_of_the_csv_module(world, url, piece_bytes, monkeypatch):
    awkward = awkward_rows(world)[url]
    # Every row (seeds included) in large pieces; only alfa's, a row or a few per piece
    # (awkward ones on piece edges, more pieces than the queue holds).
    client = client_for(world.user("superuser" if piece_bytes > 200 else "auditor_a"))
    monkeypatch.setattr(exports, "PIECE_BYTES", piece_bytes)
    by_copy, copies = export_body(client, url)
    monkeypatch.setattr(exports.StreamingCsvExport, "use_copy", False)
    by_python, python_copies = export_body(client, url)
    assert python_copies == 0
    assert by_copy == by_python
    rows = list(csv.reader(io.StringIO(by_copy.decode("utf-8"), newline="")))
    # One COPY statement for the whole file on PostgreSQL.
    assert copies == (1 if connection.vendor == "postgresql" else 0)
    assert by_copy.count(b"\r\n") >= len(rows) and by_copy.endswith(b"\r\n")
    by_id = {row["id"]: row for row in as_dicts(rows)}
    texts = "item" if url == EXPORT else "text_value"
    assert [by_id[str(pk)][texts] for pk in awkward] == [escape_formula(t) for t in AWKWARD]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_client_that_leaves_stops_the_copy_and_the_connection_stays_usable(world):
    client = client_for(world.user("superuser"))
    for n in range(50):
        BudgetLine.objects.create(action=world.a[BudgetLine].action, item=f"Voce {n}",
                                  preventivo=Decimal("1.00"), position=n)
    with patch.object(exports, "PIECE_BYTES", 1), patch.object(exports, "QUEUE_PIECES", 1):
        response = client.get(EXPORT)
        body = iter(response.streaming_content)
        assert next(body).startswith(b"id,ambito,")  # the header
        assert next(body).count(b"\r\n") == 1  # one row, then the client goes away
        # The test client's own closing (response.close() would also close the connection
        # of the test's transaction, as after a request).
        response._iterator.close()
    assert not [t for t in threading.enumerate() if t.name == "csv-export-copy"]
    assert BudgetLine.objects.filter(item="Voce 49").exists()  # the connection still works
    assert len(streamed(client.get(EXPORT))) - 1 == BudgetLine.objects.count()


def test_crlf_rows_ends_rows_like_the_csv_module():
    copied = b'7,"a\nb",x\n8,,"c""\n"\n12,"d\n\ne",\n'
    assert exports.crlf_rows(copied) == b'7,"a\nb",x\r\n8,,"c""\n"\r\n12,"d\n\ne",\r\n'
    assert exports.crlf_rows(b'5,"x\n"\n') == b'5,"x\n"\r\n'
    assert exports.crlf_rows(b"5,a\n6,b\n") == b"5,a\r\n6,b\r\n"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's COPY")
def test_the_export_looks_up_no_code_or_variation_once_per_line(world):
    """Issue 22: the area di utenza and the approved preventivo come from tables grouped
    once and joined, not from subqueries run for each line (4.6 of 6.9 s at 60 ambiti)."""
    rows = exports.BudgetLineExportView.queryset.order_by("pk").values_list(
        "pk", "approved_preventivo", "area_utenza")
    sql, params = rows.query.sql_with_params()
    for _compiled_again in range(2):  # a query compiled twice joins each table once
        assert str(rows.query).count("LEFT OUTER JOIN (SELECT") == 3
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SubPlan" not in plan, plan
