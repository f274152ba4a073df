"""Quarterly reminders: who is late, and exactly they get an e-mail."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from budget.models import BudgetLine
from core.roles import Role
from indicators.models import Indicator, Measurement
from indicators.selectors import late_referents, quarter_end
from indicators.tasks import send_quarter_reminders
from objectives.models import Objective, Referent

from ..builders import make_user
from .conftest import approve


@pytest.mark.parametrize("today, expected", [
    (date(2030, 3, 31), date(2030, 3, 31)),
    (date(2030, 4, 15), date(2030, 3, 31)),
    (date(2030, 6, 30), date(2030, 6, 30)),
    (date(2030, 12, 30), date(2030, 9, 30)),
    (date(2031, 1, 2), date(2030, 12, 31)),
])
def test_quarter_end(today, expected):
    assert quarter_end(today) == expected


def test_beat_runs_the_reminder_at_each_quarter_end():
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"] for entry in schedule.values()}
    assert tasks == {"indicators.send_quarter_reminders"}
    days = set()
    for entry in schedule.values():
        cron = entry["schedule"]
        days |= {(m, d) for m in cron.month_of_year for d in cron.day_of_month}
    assert days == {(3, 31), (6, 30), (9, 30), (12, 31)}
    assert settings.EMAIL_BACKEND.endswith("locmem.EmailBackend")  # tests; console by default


@pytest.fixture
def two_objectives(world, plan_a):
    """Objective 1 (referent_a, with e-mail) and objective 2 (another referent)."""
    referent_a = world.user("referent_a")
    referent_a.email = "referente.a@example.org"
    referent_a.save()
    other_user = make_user("referent_a2", ambito=world.a.ambito, role=Role.REFERENT)
    other_user.email = "altro.referente@example.org"
    other_user.save()
    second = Objective.objects.create(plan=plan_a, number=2, title="Secondo")
    BudgetLine.objects.create(action=second.actions.create(number=1, title="Azione"),
                              item="Voce", preventivo=Decimal("1.00"))
    Referent.objects.create(objective=second, name="Altro referente", user=other_user)
    Referent.objects.create(objective=second, name="Senza utente")
    done = Indicator.objects.create(objective=second, name="Già rilevato")
    Measurement.objects.create(indicator=done, period_end=date(2030, 6, 30), state="nd")
    half_yearly = Indicator.objects.create(objective=second, name="Semestrale",
                                           periodicity="semestrale")
    approve(plan_a, world)
    return second, half_yearly


def test_late_referents_are_those_with_indicators_still_empty(world, two_objectives):
    second, half_yearly = two_objectives
    # 31/03: the builder's measurement fills objective 1; the half-yearly one is not due yet
    late = late_referents(period_end=date(2030, 3, 31))
    assert {(lr.referent.name, tuple(i.name for i in lr.indicators)) for lr in late} == {
        ("Altro referente", ("Già rilevato",)), ("Senza utente", ("Già rilevato",)),
    }
    # 30/06: objective 1's indicator is empty, the N.D. counts as given, the half-yearly is due
    late = late_referents(period_end=date(2030, 6, 30))
    assert {(lr.referent.name, tuple(i.name for i in lr.indicators)) for lr in late} == {
        ("Referente alfa", ("N° utenti",)),
        ("Altro referente", ("Semestrale",)), ("Senza utente", ("Semestrale",)),
    }
    assert late_referents(period_end=date(2030, 6, 30), ambito=world.b.ambito) == []


def test_reminders_email_exactly_the_late_referenti(world, two_objectives):
    sent = send_quarter_reminders("2030-06-30")
    assert sent == ["altro.referente@example.org", "referente.a@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == sent
    message = next(m for m in mail.outbox if m.to == ["referente.a@example.org"])
    assert message.subject == "Indicatori da rilevare al 30/06/2030"
    assert "Obiettivo 1 (PO 2030 alfa): N° utenti" in message.body
    assert "Semestrale" not in message.body


def test_nobody_is_written_to_when_everything_is_in(world, two_objectives):
    second, half_yearly = two_objectives
    for indicator in Indicator.objects.filter(objective__plan=second.plan):
        Measurement.objects.get_or_create(
            indicator=indicator, period_end=date(2030, 6, 30),
            defaults={"value": Decimal("1")},
        )
    assert send_quarter_reminders("2030-06-30") == []
    assert mail.outbox == []


def test_drafts_and_closed_plans_are_not_chased(world, plan_a):
    referent = world.user("referent_a")
    referent.email = "referente.a@example.org"
    referent.save()
    assert late_referents(period_end=date(2030, 6, 30)) == []  # plan A is still a draft
    assert send_quarter_reminders("2030-06-30") == []
