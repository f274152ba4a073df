import pytest
from django.urls import reverse

from core.roles import Role
from governance.models import Ambito

from ..builders import make_user

pytestmark = pytest.mark.django_db
URL = reverse("admin:governance_sourcedocument_reconciliation")


def test_auditor_sees_the_printing_errors_of_own_ambito(client):
    auditor = make_user("rev", ambito=Ambito.objects.get(slug="cremasco"), role=Role.AUDITOR)
    client.force_login(auditor)
    page = client.get(URL).content.decode()
    assert "TOTALE OBIETTIVO 7" in page
    assert "4.930.393,87 €" in page and "4.989.512,71 €" in page and "-59.118,84 €" in page
    assert "AVANZO VINCOLATO" in page


def test_other_ambito_sees_none_of_them(client):
    staff = make_user("cr", ambito=Ambito.objects.get(slug="cremona"), role=Role.STAFF)
    client.force_login(staff)
    page = client.get(URL).content.decode()
    # Only Cremona's own printing errors (its Piano di Zona's tables), none of the Cremasco.
    assert "table:tab-1-4-saldo-naturale:5:2" in page
    assert "TOTALE OBIETTIVO 7" not in page and "tab-11-utenza" not in page


def test_refused_without_a_role(client):
    client.force_login(make_user("x"))
    assert client.get(URL).status_code == 403
