"""What an auditor asks of the lists and exports (issue 20, item 5): measurements by year and
quarter with their indicator, titles on budget rows, the Italian Excel CSV, history one row
per changed field, ETag and row count on the exports."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from budget.models import BudgetLine
from core.roles import Role
from governance.models import Ambito, Membership
from indicators.models import Indicator, Measurement
from objectives.models import Objective

from ..builders import make_user
from .conftest import client_for, detail_url, list_url

EXPORT = "/api/v1/budget/budget-lines/export/"
MEASUREMENTS_EXPORT = "/api/v1/indicators/measurements/export/"
BOM = "\ufeff"


def excel_rows(content):
    text = content.decode("utf-8")
    assert text.startswith(BOM), text[:20]
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def streamed(response):
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


# --- Measurements: year, quarter, indicator --------------------------------------------

@pytest.fixture
def measurements(world):
    """Ambito A's indicator measured on 31/03 (world), 30/06 of the same year and 31/12
    of the next."""
    first = world.a[Measurement]
    year = first.period_end.year
    june = Measurement.objects.create(indicator=first.indicator, period_end=date(year, 6, 30),
                                      value=Decimal("12.5"))
    december = Measurement.objects.create(indicator=first.indicator,
                                          period_end=date(year + 1, 12, 31), value=Decimal("3"))
    return year, first, june, december


def _ids(client, **params):
    response = client.get(list_url("indicators-measurement"), params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_measurements_by_year_and_quarter(world, auditor_client, measurements):
    year, first, june, december = measurements
    assert _ids(auditor_client, year=year) == {first.pk, june.pk}
    assert _ids(auditor_client, year=year, quarter=2) == {june.pk}
    assert _ids(auditor_client, quarter=4) == {december.pk}
    assert _ids(auditor_client, year=year + 1) == {december.pk}
    # The export takes the same filters.
    exported = list(csv.DictReader(io.StringIO(streamed(auditor_client.get(
        MEASUREMENTS_EXPORT, {"year": year, "quarter": 1})).decode("utf-8"))))
    assert [int(row["id"]) for row in exported] == [first.pk]


def test_measurements_carry_their_indicator_and_objective(world, auditor_client, measurements):
    _, first, june, _ = measurements
    row = auditor_client.get(detail_url("indicators-measurement", june.pk)).json()
    objective = world.a[Objective]
    assert row["indicator_name"] == "N° utenti"
    assert row["indicator_kind"] == Indicator.Kind.COUNT == "count"
    assert (row["objective"], row["objective_number"]) == (objective.pk, objective.number)
    assert row["value"] == "12.5000"
    exported = list(csv.DictReader(io.StringIO(streamed(
        auditor_client.get(MEASUREMENTS_EXPORT)).decode("utf-8"))))
    by_id = {int(r["id"]): r for r in exported}
    assert by_id[june.pk]["indicator_name"] == "N° utenti"
    assert by_id[june.pk]["objective_number"] == str(objective.number)
    assert world.b[Measurement].pk not in by_id  # another ambito's: never
    other = auditor_client.get(detail_url("indicators-measurement", world.b[Measurement].pk))
    assert other.status_code == 404


@pytest.mark.parametrize("params, refused, hint", [
    ({"quarter": "5"}, "quarter", "Valori ammessi: 1, 2, 3, 4."),
    ({"quarter": "primo"}, "quarter", "Valori ammessi: 1, 2, 3, 4."),
    ({"year": "duemila"}, "year", "numero"),
    ({"year": "36102"}, "year", "9999"),  # no date has it: a 400, not a database error
    ({"kind": "numero"}, "kind", "Valori ammessi: count, percentage"),
])
def test_a_wrong_year_or_quarter_is_refused_by_name(world, auditor_client, params, refused,
                                                    hint):
    for url in (list_url("indicators-measurement"), MEASUREMENTS_EXPORT):
        response = auditor_client.get(url, params)
        assert response.status_code == 400
        body = response.json()
        assert list(body) == [refused]
        assert hint in " ".join(body[refused])


# --- Budget rows carry the titles ---------------------------------------------------------

def test_budget_rows_carry_objective_and_action_titles(world, auditor_client):
    line = world.a[BudgetLine]
    row = auditor_client.get(detail_url("budget-budgetline", line.pk)).json()
    assert (row["objective_title"], row["action_title"]) == ("Obiettivo alfa", "Azione alfa")
    exported = {r["id"]: r for r in csv.DictReader(io.StringIO(
        streamed(auditor_client.get(EXPORT)).decode("utf-8")))}
    assert exported[str(line.pk)]["action_title"] == "Azione alfa"
    assert exported[str(line.pk)]["objective_title"] == "Obiettivo alfa"


# --- The Italian Excel CSV ----------------------------------------------------------------

def test_excel_it_dialect_of_a_list(world, auditor_client):
    line = world.a[BudgetLine]
    line.item = '=HYPERLINK("http://x")'
    line.preventivo = Decimal("1234.50")
    line.save()
    response = auditor_client.get(list_url("budget-budgetline"),
                                  {"format": "csv", "dialect": "excel-it"})
    assert response.status_code == 200
    assert response.content.startswith(BOM.encode("utf-8"))
    assert response.content.decode("utf-8").splitlines()[0].startswith("\ufeffid;ambito;plan;")
    row = next(r for r in excel_rows(response.content) if r["id"] == str(line.pk))
    assert row["preventivo"] == "1234,50"
    assert row["item"] == "'=HYPERLINK(\"http://x\")"  # a formula stays text
    assert row["year"] == str(world.a[Objective].plan.year)  # integers untouched
    standard = auditor_client.get(list_url("budget-budgetline"), {"format": "csv"})
    assert not standard.content.startswith(BOM.encode("utf-8"))
    assert ",1234.50," in standard.content.decode()
    # JSON does not change with the dialect.
    as_json = auditor_client.get(list_url("budget-budgetline"), {"dialect": "excel-it"})
    assert as_json.json() == auditor_client.get(list_url("budget-budgetline")).json()


def test_the_export_in_excel_it_is_the_list_in_excel_it(world, auditor_client):
    exported = streamed(auditor_client.get(EXPORT, {"dialect": "excel-it"}))
    listed = auditor_client.get(list_url("budget-budgetline"),
                                {"format": "csv", "dialect": "excel-it", "page_size": 1000})
    assert exported == listed.content
    measurements = streamed(auditor_client.get(MEASUREMENTS_EXPORT, {"dialect": "excel-it"}))
    assert excel_rows(measurements)[0]["value"] == "7,0000"


def test_an_unknown_dialect_is_refused_by_name(world, auditor_client):
    for url, params in ((list_url("budget-budgetline"), {"format": "csv"}), (EXPORT, {}),
                        (list_url("change"), {})):
        response = auditor_client.get(url, {**params, "dialect": "xls"})
        assert response.status_code == 400
        assert response.json() == {"dialect": [
            "Variante sconosciuta: «xls». Valori ammessi: standard, excel-it."]}


@pytest.fixture
def cremasco_auditor(db):
    user = make_user("revisore.excel")
    Membership.objects.create(user=user, ambito=Ambito.objects.get(slug="cremasco"),
                              role=Role.AUDITOR)
    return client_for(user)


def test_po_2015_in_excel_it_adds_up_to_the_document(cremasco_auditor):
    rows = excel_rows(streamed(cremasco_auditor.get(EXPORT, {"year": 2015,
                                                             "dialect": "excel-it"})))
    total = sum(Decimal(row["preventivo"].replace(",", ".")) for row in rows)
    assert total == Decimal("6836696.91")
    assert all("." not in row["preventivo"] for row in rows)


# --- History and changes, one row per changed field ---------------------------------------

def test_history_csv_has_one_row_per_changed_field(world, auditor_client):
    line = world.a[BudgetLine]
    staff = world.user("staff_a")
    staff.first_name, staff.last_name = "Anna", "Rossi"
    staff.save()
    line.preventivo, line.note = Decimal("99.90"), "Ditta; esterna"
    line._history_user, line._change_reason = staff, "Rettifica"
    line.save()
    url = detail_url("budget-budgetline", line.pk) + "history/"
    rows = list(csv.DictReader(io.StringIO(
        auditor_client.get(url, {"format": "csv"}).content.decode("utf-8"))))
    assert "changes" not in rows[0]
    changed = [r for r in rows if r["type"] == "changed"]
    assert sorted((r["field"], r["old"], r["new"]) for r in changed) == [
        ("note", "", "Ditta; esterna"), ("preventivo", "10.05", "99.90"),
    ]
    assert {(r["user"], r["reason"], r["model"], r["object_id"]) for r in changed} == {
        ("Anna Rossi", "Rettifica", "budget.budgetline", str(line.pk))
    }
    assert len({r["id"] for r in changed}) == 1  # one change, two fields
    # The feed: the same rows, in Excel's dialect too.
    feed = excel_rows(auditor_client.get(list_url("change"), {
        "format": "csv", "dialect": "excel-it", "model": "budget.budgetline",
        "page_size": 1000}).content)
    mine = [r for r in feed if r["id"] == changed[0]["id"]]
    assert sorted(r["field"] for r in mine) == ["note", "preventivo"]
    assert {r["ambito"] for r in feed} == {str(world.a.ambito.pk)}


def test_an_empty_feed_in_csv_still_has_the_flattened_header(world, auditor_client):
    response = auditor_client.get(list_url("change"), {
        "format": "csv", "since": "2999-01-01T00:00:00Z"})
    assert response.content.decode().strip().split(",") == [
        "id", "history_id", "model", "object_id", "ambito", "type", "date", "user", "reason",
        "field", "label", "old", "new"]


# --- ETag and row count on the exports ----------------------------------------------------

def test_export_has_a_count_and_an_etag_that_changes_with_the_data(world, auditor_client):
    first = auditor_client.get(EXPORT)
    rows = list(csv.reader(io.StringIO(streamed(first).decode("utf-8"))))
    visible = BudgetLine.objects.filter(action__objective__plan__zone_plan__ambito=world.a.ambito)
    assert first["X-Total-Count"] == str(len(rows) - 1) == str(visible.count())
    etag = first["ETag"]
    assert etag.startswith('W/"')
    again = auditor_client.get(EXPORT, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    # Another filter, another file.
    assert auditor_client.get(EXPORT, {"year": 1990})["ETag"] != etag
    # A title above the lines changes the file, and so its tag.
    objective = world.a[Objective]
    objective.title = "Obiettivo rinominato"
    objective.save()
    changed = auditor_client.get(EXPORT, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Obiettivo rinominato" in streamed(changed).decode()
    # A save that changed nothing leaves it (and writes no history).
    etag = changed["ETag"]
    objective.save()
    assert auditor_client.get(EXPORT, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Someone of another ambito never gets this tag.
    other = client_for(world.user("staff_b")).get(EXPORT)
    assert other["ETag"] != etag


def test_lists_answer_304_to_their_etag(world, auditor_client):
    url = list_url("indicators-measurement")
    response = auditor_client.get(url, {"format": "csv", "dialect": "excel-it"})
    assert response["X-Total-Count"] == "1"
    etag = response["ETag"]
    again = auditor_client.get(url, {"format": "csv", "dialect": "excel-it"},
                               HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
