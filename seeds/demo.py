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


@dataclass(frozen=True)
class DemoPlan:
    ambito: str
    year: int
    description: str


DEMO_PLANS = [
    DemoPlan("cremasco", 2019,
             "PO 2019 in bozza dal PO 2018 (obiettivi, azioni, referenti, indicatori, traguardi, "
             "preventivi 2018) con l'avanzo 2018 destinato dall'Assemblea tra le entrate"),
    DemoPlan("cremona", 2019,
             "primo PO 2019 in bozza tratto dal Piano di Zona 2019-2020 (un obiettivo per area, "
             "un'azione per obiettivo di area)"),
]


def create_demo_plans():
    """The plans a newcomer tries the year on; a plan that exists is left as it is.

    Returns one line per plan saying what was done.
    """
    from budget.destination import destination_carry_forward, destination_of
    from objectives.models import OperatingPlan, ZonePlan
    from objectives.services import Carry, plan_create_from, plan_create_from_zone_plan

    done = []
    with transaction.atomic():
        plans = OperatingPlan.objects.select_related("zone_plan__ambito")
        source = plans.filter(zone_plan__ambito__slug="cremasco", year=2018).first()
        if source is None:
            done.append("cremasco: manca il PO 2018 (caricare i semi), nessun PO 2019 creato")
        elif plans.filter(zone_plan__ambito__slug="cremasco", year=2019).exists():
            done.append("cremasco: PO 2019 già presente, lasciato com'è")
        else:
            plan = plan_create_from(source=source, year=2019, user=None, carry=Carry())
            destination = destination_of(plan=source)
            carried = []
            if destination is not None and destination.state == destination.State.APPROVED:
                carried = destination_carry_forward(plan=source, user=None)
            done.append(f"cremasco: creato il {plan.title} in bozza dal {source.title}, "
                        f"{len(carried)} entrate di avanzo 2018 riportate")
        zone_plan = ZonePlan.objects.filter(
            ambito__slug="cremona", start_year__lte=2019, end_year__gte=2019
        ).first()
        if zone_plan is None:
            done.append("cremona: manca il Piano di Zona 2019-2020, nessun PO 2019 creato")
        elif plans.filter(zone_plan__ambito__slug="cremona", year=2019).exists():
            done.append("cremona: PO 2019 già presente, lasciato com'è")
        else:
            plan = plan_create_from_zone_plan(zone_plan=zone_plan, year=2019, user=None)
            done.append(f"cremona: creato il {plan.title} in bozza dal {zone_plan}")
    return done
