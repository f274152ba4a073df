"""GET /api/v1/governance/municipal-spending/summary/: the selector's figures to the cent,
strict parameters (400 naming the parameter), other ambiti 404."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from governance.models import Ambito, Membership

from .conftest import client_for

URL = "governance-municipalspending-summary"


@pytest.fixture
def cremona_auditor(db):
    user = get_user_model().objects.create_user("revisore-spesa", password="x-long-pass-1")
    Membership.objects.create(user=user, ambito=Ambito.objects.get(slug="cremona"),
                              role="revisore")
    return client_for(user)


def test_summary_of_the_seeds_to_the_cent(cremona_auditor):
    response = cremona_auditor.get(reverse(URL), {"ambito": "cremona", "year": "2015"})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["totals"]["amount"] == "20391617.00"
    assert body["kpis"]["total"] == {"value": "20391617.00", "missing": ""}
    assert body["kpis"]["per_capita"]["value"] is None
    assert "manca la popolazione residente 2015 di 47 Comuni su 47" in (
        body["kpis"]["per_capita"]["missing"])
    assert [c["amount"] for c in body["classes"]] == [
        "15613739.00", "1572137.00", "2679818.00", "525923.00"]
    assert len(body["rows"]) == 47
    cremona = next(r for r in body["rows"] if r["name"] == "Cremona")
    assert (cremona["amount"], cremona["size_class"], cremona["per_capita_printed"]) == (
        "13495943.00", "> 5.000", "188.00")
    assert all(r["matches"] for r in body["reconciliations"])


@pytest.mark.parametrize("query, parameter, words", [
    ({"ambito": "cremona", "year": "duemila"}, "year", "non è un anno"),
    ({"ambito": "cremona", "year": "1800"}, "year", "tra 1990 e 2100"),
    ({"ambito": "cremona", "year": "2015", "anno": "2015"}, "anno", "Parametro sconosciuto"),
])
def test_bad_parameters_are_refused(cremona_auditor, query, parameter, words):
    response = cremona_auditor.get(reverse(URL), query)
    assert response.status_code == 400
    assert words in " ".join(response.json()[parameter])


def test_an_ambito_without_a_role_is_not_found(cremona_auditor):
    response = cremona_auditor.get(reverse(URL), {"ambito": "cremasco", "year": "2018"})
    assert response.status_code == 404
    assert "cremasco" not in response.content.decode().lower()


def test_summary_as_csv(cremona_auditor):
    response = cremona_auditor.get(reverse(URL), {"ambito": "cremona", "year": "2015",
                                                  "format": "csv", "dialect": "excel-it"})
    assert response.status_code == 200
    assert "20391617,00" in response.content.decode("utf-8-sig")


def test_defaults_one_ambito_and_last_year(cremona_auditor):
    body = cremona_auditor.get(reverse(URL)).json()
    assert (body["ambito"], body["year"], body["totals"]["amount"]) == (
        "cremona", 2015, "20391617.00")


def test_several_ambiti_must_name_one(world):
    response = client_for(world.user("superuser")).get(reverse(URL), {"year": "2015"})
    assert response.status_code == 400
    assert "Indicare il codice dell'ambito" in response.json()["ambito"][0]
