"""Demo users, one per role, for the embedded SQLite run (never in production)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from core.roles import Role
from governance.models import Ambito, Membership
from objectives.models import Referent


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    description: str
    ambito: str | None = None
    role: str | None = None
    superuser: bool = False


DEMO_USERS = [
    DemoUser("admin", "demo-admin-2026", "superutente (tutti gli ambiti)", superuser=True),
    DemoUser("ufficio.cremasco", "demo-ufficio-2026", "Ufficio di Piano, cremasco",
             "cremasco", Role.STAFF),
    DemoUser("referente.cremasco", "demo-referente-2026",
             "referente dell'obiettivo 1 (PO 2015), cremasco", "cremasco", Role.REFERENT),
    DemoUser("sindaco.cremasco", "demo-assemblea-2026", "Assemblea dei Sindaci, cremasco",
             "cremasco", Role.ASSEMBLY),
    DemoUser("revisore.cremasco", "demo-revisore-2026", "revisore (sola lettura), cremasco",
             "cremasco", Role.AUDITOR),
    DemoUser("ufficio.cremona", "demo-ufficio-2026", "Ufficio di Piano, Cremona",
             "cremona", Role.STAFF),
    DemoUser("revisore.cremona", "demo-revisore-2026", "revisore (sola lettura), Cremona",
             "cremona", Role.AUDITOR),
]


@transaction.atomic
def create_demo_users():
    users = get_user_model()
    for spec in DEMO_USERS:
        user, _ = users.objects.get_or_create(username=spec.username)
        user.is_staff = True
        user.is_superuser = spec.superuser
        user.set_password(spec.password)
        user.save()
        if spec.ambito:
            ambito = Ambito.objects.filter(slug=spec.ambito).first()
            if ambito is None:
                continue
            Membership.objects.get_or_create(user=user, ambito=ambito, role=spec.role)
            if spec.role == Role.REFERENT:
                referent = (
                    Referent.objects.filter(objective__plan__zone_plan__ambito=ambito)
                    .order_by("objective__plan__year", "objective__number", "position")
                    .first()
                )
                if referent is not None and referent.user_id is None:
                    referent.user = user
                    referent.save()
