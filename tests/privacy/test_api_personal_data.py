"""Who sees which personal data in the auditors' API (policy in core/privacy.py).

Names of referenti and body members: every role of the ambito. The link between a referente
and an account (``user_id``): only the Ufficio di Piano of that ambito and superusers, null
for every other role, in JSON and in CSV. E-mails, password hashes and tokens: never.
"""

import csv
import io

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from core.roles import Role
from governance.models import BodyMember, Membership
from objectives.models import Objective, Referent

from ..api.conftest import ENDPOINTS, client_for, detail_url, list_url

READERS = ["superuser", "staff_a", "referent_a", "assembly_a", "auditor_a"]
SEE_ACCOUNTS = {"superuser", "staff_a"}


def _csv_rows(response):
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.parametrize("role", READERS)
def test_names_are_visible_to_every_role_of_the_ambito(world, role):
    client = client_for(world.user(role))
    referent = client.get(detail_url("objectives-referent", world.a[Referent].pk)).json()
    assert referent["name"] == "Referente alfa"
    member = client.get(detail_url("governance-bodymember", world.a[BodyMember].pk)).json()
    assert member["name"] == "Sindaco alfa"
    rows = _csv_rows(client.get(list_url("objectives-referent"), {"format": "csv"}))
    assert "Referente alfa" in {row["name"] for row in rows}


@pytest.mark.parametrize("role", READERS)
def test_referent_account_link_only_for_staff_and_superusers(world, role):
    referent = world.a[Referent]
    expected = referent.user_id if role in SEE_ACCOUNTS else None
    assert referent.user_id is not None  # the world links it to referent_a
    client = client_for(world.user(role))

    detail = client.get(detail_url("objectives-referent", referent.pk)).json()
    assert detail["user_id"] == expected
    # Nested in the objective, the same rule.
    objective = client.get(detail_url("objectives-objective", world.a[Objective].pk)).json()
    assert [r["user_id"] for r in objective["referents"]] == [expected]

    # CSV: the column is there for everybody (one shape), empty where the role may not see it.
    rows = _csv_rows(client.get(list_url("objectives-referent"), {"format": "csv"}))
    mine = [row for row in rows if row["id"] == str(referent.pk)]
    assert [row["user_id"] for row in mine] == ["" if expected is None else str(expected)]


def test_staff_of_another_ambito_does_not_see_links_where_they_are_only_auditors(world):
    # staff_b becomes auditor of alfa: staff in beta, but in alfa only an auditor.
    staff_b = world.user("staff_b")
    Membership.objects.create(user=staff_b, ambito=world.a.ambito, role=Role.AUDITOR)
    world.b[Referent].user = world.user("staff_b")
    world.b[Referent].save()
    client = client_for(staff_b)
    rows = client.get(list_url("objectives-referent"), {"page_size": 1000}).json()["results"]
    by_id = {row["id"]: row["user_id"] for row in rows}
    assert by_id[world.a[Referent].pk] is None
    assert by_id[world.b[Referent].pk] == staff_b.pk


def _secrets(world):
    """Every user's e-mail, password hash and API token."""
    secrets = set()
    for name, user in world.users.items():
        user.email = f"{name.replace('_', '.')}@comune.example.it"
        user.save()
        secrets |= {user.email, user.password, Token.objects.get_or_create(user=user)[0].key}
    return secrets


@pytest.mark.parametrize("role", ["superuser", "staff_a"])
def test_no_endpoint_exposes_emails_passwords_or_tokens(world, role):
    secrets = _secrets(world)
    # A change made by a user whose username is an e-mail address shows the name part only.
    staff = world.user("staff_a")
    staff.username = "anna.rossi@comune.example.it"
    staff.save()
    secrets.add(staff.username)
    referent = world.a[Referent]
    referent.name = "Referente modificato"
    referent._history_user = staff
    referent.save()

    client = client_for(world.user(role))
    for basename in sorted(ENDPOINTS):
        for params in ({"page_size": 1000}, {"page_size": 1000, "format": "csv"}):
            response = client.get(list_url(basename), params)
            assert response.status_code == 200, basename
            body = response.content.decode("utf-8")
            leaked = [secret for secret in secrets if secret in body]
            assert not leaked, (basename, params, leaked)
    history = client.get(detail_url("objectives-referent", referent.pk) + "history/").json()
    assert history["results"][-1]["user"] == "anna.rossi"
    assert "comune.example.it" not in str(history)


def test_schema_says_which_fields_depend_on_the_role():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    link = components["Referent"]["properties"]["user_id"]
    assert link.get("nullable") is True
    assert "Dato riservato" in link["description"]
    assert "Ufficio di Piano" in link["description"]
    for component, field in (("Referent", "name"), ("BodyMember", "name")):
        assert "visibile a ogni ruolo" in components[component]["properties"][field]["description"]
    change_user = components["Change"]["properties"]["user"]["description"]
    assert "mai un indirizzo e-mail" in change_user
    assert set(ENDPOINTS)  # the router is loaded: the schema above covers every endpoint
