"""Fixtures for the plan's life cycle: acts, plans in each state, the 2018 seed reopened."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budget.destination import destination_approve, destination_start
from budget.models import BudgetLine, Surplus, SurplusDestination
from budget.services import budget_line_set_consuntivo, year_close
from core import freeze
from core.roles import Role
from governance.models import Body, Deliberation
from objectives.models import OperatingPlan
from objectives.services import objectives_without_resources, plan_approve

from ..builders import make_user


def act_file(name="delibera.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 atto di prova", content_type="application/pdf")


def make_deliberation(ambito, *, approves="operating_plan", number="12", when=None, body=None,
                      act=True):
    body = body or Body.objects.get(ambito=ambito, kind=Body.Kind.MAYORS)
    return Deliberation.objects.create(
        ambito=ambito, body=body, number=number, date=when or date(2030, 3, 1),
        subject="Approvazione del Piano Operativo", approves=approves,
        act=act_file() if act else "",
    )


@pytest.fixture
def plan_a(world):
    """World A's draft plan, without the builder's surplus row (a plan yet to be closed)."""
    plan = world.a[OperatingPlan]
    Surplus.objects.filter(plan=plan).delete()
    SurplusDestination.objects.filter(plan=plan).delete()  # and its destination
    return plan


@pytest.fixture
def deliberation_a(world):
    return make_deliberation(world.a.ambito)


def approve(plan, world, deliberation=None):
    return plan_approve(
        plan=plan, deliberation=deliberation or make_deliberation(plan.ambito, number="99"),
        user=world.user("staff_a"),
    )


def enter_consuntivo(plan, world, amount=Decimal("8.00")):
    for line in BudgetLine.objects.filter(action__objective__plan=plan):
        budget_line_set_consuntivo(line=line, amount=amount, user=world.user("staff_a"))


def approve_destination(plan, user, deliberation=None):
    """The proposal recorded as the Assemblea's destination and approved (the closing needs it)."""
    destination = destination_start(plan=plan, user=user, replace=True)
    deliberation = deliberation or make_deliberation(
        plan.zone_plan.ambito, approves="consuntivo", number=f"D{plan.year}",
        when=date(plan.year + 1, 4, 30),
    )
    return destination_approve(destination=destination, deliberation=deliberation, user=user)


def plan_in_state(plan, world, state):
    """Move ``plan`` through the services up to ``state``."""
    if state in ("approvato", "chiuso"):
        approve(plan, world)
    if state == "chiuso":
        enter_consuntivo(plan, world)
        approve_destination(plan, world.user("staff_a"))
        year_close(plan=plan, user=world.user("staff_a"))
    plan.refresh_from_db()
    assert plan.state == state
    return plan


@pytest.fixture
def approved_a(plan_a, world):
    return plan_in_state(plan_a, world, "approvato")


class Seed2018:
    """The Consuntivo 2018 plan, reopened as a draft to walk it through its life cycle.

    The seed loads it closed, with the Tab. 3 avanzo rows of the document and every
    consuntivo entered. The walk keeps the document's rows aside (``printed_surplus``),
    empties the consuntivo (``consuntivi`` keeps it) and sets the plan back to bozza.
    """

    def __init__(self):
        self.plan = OperatingPlan.objects.select_related("zone_plan__ambito").get(
            zone_plan__ambito__slug="cremasco", year=2018
        )
        self.ambito = self.plan.zone_plan.ambito
        lines = BudgetLine.objects.filter(action__objective__plan=self.plan)
        self.consuntivi = dict(lines.values_list("pk", "consuntivo"))
        self.printed_surplus = list(
            Surplus.objects.filter(plan=self.plan).values_list("description", "amount")
        )
        with freeze.allow(freeze.LOADING):  # the seed reopened, as a loader would
            Surplus.objects.filter(plan=self.plan).delete()
            lines.update(consuntivo=None)
            OperatingPlan.objects.filter(pk=self.plan.pk).update(state="bozza")
        self.plan.refresh_from_db()
        self.staff = make_user("ufficio.cremasco", ambito=self.ambito, role=Role.STAFF)
        self.assembly = make_user("sindaco.cremasco", ambito=self.ambito, role=Role.ASSEMBLY)
        self.deliberation = make_deliberation(
            self.ambito, number="3/2018", when=date(2018, 4, 5),
            body=Body.objects.get(ambito=self.ambito, name="Assemblea dei Sindaci"),
        )
        # Objectives 12 and 13 have no resources in 2018: the approval states why.
        self.zero_reasons = {
            objective.pk: "Nessuna risorsa assegnata nel 2018"
            for objective in objectives_without_resources(plan=self.plan)
        }

    def reopen_approved(self):
        """The seed as it stood before its closing: approved, every consuntivo entered."""
        with freeze.allow(freeze.LOADING):
            for pk, amount in self.consuntivi.items():
                BudgetLine.objects.filter(pk=pk).update(consuntivo=amount)
            OperatingPlan.objects.filter(pk=self.plan.pk).update(state="approvato")
        self.plan.refresh_from_db()
        return self.plan

    def enter_consuntivo(self):
        warnings = []
        lines = BudgetLine.objects.filter(action__objective__plan=self.plan).order_by("pk")
        for line in lines:
            amount = self.consuntivi[line.pk]
            if amount is not None:
                warnings += budget_line_set_consuntivo(
                    line=line, amount=amount, user=self.staff
                ).warnings
        return warnings


@pytest.fixture
def seed_2018(db):
    return Seed2018()
