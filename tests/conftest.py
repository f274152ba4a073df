import os
import socket
import urllib.parse
from dataclasses import dataclass

import pytest

from core.roles import Role
from governance.models import Membership
from objectives.models import Referent
from seeds.loader import load_all

from .builders import AmbitoData, build_ambito, make_user


def services_required():
    """Under CI the real PostgreSQL and Redis are part of the contract: missing means failure."""
    return os.environ.get("CI") == "true" or os.environ.get("PIANOZONA_REQUIRE_SERVICES") == "1"


def redis_url():
    return os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"


def require_redis():
    url = urllib.parse.urlparse(redis_url())
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=3).close()
    except OSError as exc:
        message = f"Redis non raggiungibile su {redis_url()}: {exc}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message + " (fuori CI)")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The three seed documents are loaded once into the test database."""
    with django_db_blocker.unblock():
        load_all()


@dataclass
class World:
    a: AmbitoData
    b: AmbitoData
    users: dict

    def user(self, role_name):
        return self.users[role_name]


ROLE_NAMES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a"]


@pytest.fixture
def world(db):
    return build_world()


def build_world():
    """Ambiti alfa and beta with one user per role (also built once per module by some tests)."""
    a = build_ambito("alfa")
    b = build_ambito("beta")
    users = {
        "superuser": make_user("root", superuser=True),
        "staff_a": make_user("staff_a", ambito=a.ambito, role=Role.STAFF),
        "staff_b": make_user("staff_b", ambito=b.ambito, role=Role.STAFF),
        "referent_a": make_user("referent_a", ambito=a.ambito, role=Role.REFERENT),
        "assembly_a": make_user("assembly_a", ambito=a.ambito, role=Role.ASSEMBLY),
        "auditor_a": make_user("auditor_a", ambito=a.ambito, role=Role.AUDITOR),
        "nobody": make_user("nobody"),
    }
    referent = a[Referent]
    referent.user = users["referent_a"]
    referent.save()
    a.objects[Membership] = Membership.objects.get(user=users["staff_a"])
    b.objects[Membership] = Membership.objects.get(user=users["staff_b"])
    return World(a, b, users)
