"""Budget grid and quarterly services: all or nothing, scope, frozen plans, lost updates."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budget.entry_services import BudgetRow, budget_lines_save, line_token
from budget.models import BudgetLine
from core.concurrency import ConflictError
from indicators.models import Measurement, Milestone
from indicators.services import (
    MeasurementRow,
    MilestoneRow,
    measurement_token,
    measurements_save,
    milestone_token,
    quarter_save,
)
from tests.builders import set_plan_state


def _row(line, **changes):
    values = {"item": line.item, "note": line.note, "channel": line.channel_id,
              "preventivo": line.preventivo, "consuntivo": line.consuntivo}
    values.update(changes)
    return BudgetRow(action_id=line.action_id, line_id=line.pk, token=line_token(line),
                     key=line.pk, **values)


def test_budget_save_creates_updates_and_deletes_with_history(world, entry):
    line, other = BudgetLine.objects.filter(action=entry["action"]).order_by("position")
    staff = world.user("staff_a")
    result = budget_lines_save(objective=entry["objective"], user=staff, rows=[
        _row(line, preventivo=Decimal("99.50"), channel=entry["channel"].pk),
        BudgetRow(action_id=entry["action"].pk, item="Nuova", preventivo=Decimal("5.00"), key=9),
        BudgetRow(action_id=other.action_id, line_id=other.pk, token=line_token(other),
                  delete=True, key=other.pk, item=other.item, preventivo=other.preventivo),
    ])
    assert (result.created, result.updated, result.deleted) == (1, 1, 1)
    line.refresh_from_db()
    assert line.preventivo == Decimal("99.50") and line.channel == entry["channel"]
    assert line.history.first().history_user == staff
    assert not BudgetLine.objects.filter(pk=other.pk).exists()
    assert BudgetLine.objects.filter(item="Nuova", action=entry["action"]).exists()


def test_untouched_rows_are_not_written(world, entry):
    line = entry["line"]
    before = line.history.count()
    result = budget_lines_save(objective=entry["objective"], user=world.user("staff_a"),
                               rows=[_row(line)])
    assert result.changed == 0 and line.history.count() == before


def test_second_of_two_conflicting_budget_saves_is_refused(world, entry):
    line = entry["line"]
    first = _row(line, preventivo=Decimal("20.00"))
    second = _row(line, preventivo=Decimal("30.00"))  # loaded at the same time as the first
    budget_lines_save(objective=entry["objective"], user=world.user("staff_a"), rows=[first])
    with pytest.raises(ConflictError) as caught:
        budget_lines_save(objective=entry["objective"], user=world.user("superuser"),
                          rows=[second])
    message = caught.value.messages[0]
    assert "staff_a" in message and "10,05 €" in message and "20,00 €" in message
    line.refresh_from_db()
    assert line.preventivo == Decimal("20.00")
    # Saving again with the token of the conflict is a conscious overwrite.
    second.token = caught.value.conflicts[0].token
    budget_lines_save(objective=entry["objective"], user=world.user("superuser"), rows=[second])
    line.refresh_from_db()
    assert line.preventivo == Decimal("30.00")


def test_a_conflict_elsewhere_writes_nothing(world, entry):
    line, other = BudgetLine.objects.filter(action=entry["action"]).order_by("position")
    stale = _row(other, item="Mia modifica")
    BudgetLine.objects.filter(pk=other.pk).update(item="Modifica del collega")  # no history
    with pytest.raises(ConflictError):
        budget_lines_save(objective=entry["objective"], user=world.user("staff_a"),
                          rows=[_row(line, preventivo=Decimal("1.00")), stale])
    line.refresh_from_db()
    assert line.preventivo == Decimal("10.05")


def test_same_change_by_both_is_not_a_conflict(world, entry):
    line = entry["line"]
    row = _row(line, note="uguale")
    BudgetLine.objects.filter(pk=line.pk).update(note="uguale")
    budget_lines_save(objective=entry["objective"], user=world.user("staff_a"), rows=[row])


@pytest.mark.parametrize("role", ["referent_a", "assembly_a", "auditor_a", "staff_b"])
def test_budget_refused_outside_role(world, entry, role):
    with pytest.raises(PermissionDenied):
        budget_lines_save(objective=entry["objective"], user=world.user(role),
                          rows=[_row(entry["line"], preventivo=Decimal("1.00"))])
    entry["line"].refresh_from_db()
    assert entry["line"].preventivo == Decimal("10.05")


def test_budget_refuses_a_line_of_another_objective(world, entry):
    foreign = BudgetLine.objects.create(action=entry["other_action"], item="x",
                                        preventivo=Decimal("1"))
    row = _row(foreign, preventivo=Decimal("2.00"))
    row.action_id = entry["action"].pk
    with pytest.raises(PermissionDenied):
        budget_lines_save(objective=entry["objective"], user=world.user("staff_a"), rows=[row])


@pytest.mark.parametrize("state", ["approvato", "chiuso"])
def test_frozen_plan_refuses_budget_changes(world, entry, state):
    set_plan_state(entry["plan"], state)
    entry["objective"].refresh_from_db()
    with pytest.raises(PermissionDenied):
        budget_lines_save(objective=entry["objective"], user=world.user("staff_a"),
                          rows=[_row(entry["line"], preventivo=Decimal("1.00"))])
    entry["line"].refresh_from_db()
    assert entry["line"].preventivo == Decimal("10.05")


def test_approved_plan_takes_the_consuntivo(world, entry):
    set_plan_state(entry["plan"], "approvato")
    entry["objective"].refresh_from_db()
    budget_lines_save(objective=entry["objective"], user=world.user("staff_a"),
                      rows=[_row(entry["line"], consuntivo=Decimal("8.00"))])
    entry["line"].refresh_from_db()
    assert entry["line"].consuntivo == Decimal("8.00")


def _mrow(indicator, period, **values):
    current = Measurement.objects.filter(indicator=indicator, period_end=period).first()
    return MeasurementRow(indicator_id=indicator.pk, token=measurement_token(current), **values)


def test_measurements_save_nd_as_a_state(world, entry):
    indicator = entry["indicator"]
    measurements_save(plan=entry["plan"], period_end=entry["period_q2"],
                      user=world.user("referent_a"),
                      rows=[_mrow(indicator, entry["period_q2"], state="nd", note="non pervenuto")])
    saved = Measurement.objects.get(indicator=indicator, period_end=entry["period_q2"])
    assert saved.state == "nd" and saved.value is None
    assert saved.history.first().history_user == world.user("referent_a")


def test_second_of_two_conflicting_measurement_saves_is_refused(world, entry):
    indicator, period = entry["indicator"], entry["period_q1"]
    first = _mrow(indicator, period, state="value", value=Decimal("8"))
    second = _mrow(indicator, period, state="value", value=Decimal("9"))
    measurements_save(plan=entry["plan"], period_end=period, user=world.user("referent_a"),
                      rows=[first])
    with pytest.raises(ConflictError) as caught:
        measurements_save(plan=entry["plan"], period_end=period, user=world.user("staff_a"),
                          rows=[second])
    assert "referent_a" in caught.value.messages[0]
    assert Measurement.objects.get(indicator=indicator, period_end=period).value == Decimal("8")


def test_two_first_entries_of_the_same_period_conflict(world, entry):
    indicator, period = entry["indicator"], entry["period_q2"]
    first = _mrow(indicator, period, state="value", value=Decimal("1"))
    second = _mrow(indicator, period, state="value", value=Decimal("2"))
    measurements_save(plan=entry["plan"], period_end=period, user=world.user("staff_a"),
                      rows=[first])
    with pytest.raises(ConflictError):
        measurements_save(plan=entry["plan"], period_end=period, user=world.user("superuser"),
                          rows=[second])


def test_milestone_conflict_and_quarter_atomicity(world, entry):
    milestone, indicator = entry["milestone"], entry["indicator"]
    stale = MilestoneRow(milestone_id=milestone.pk, achieved="no",
                         token=milestone_token(milestone))
    Milestone.objects.filter(pk=milestone.pk).update(achieved="si")
    with pytest.raises(ConflictError):
        quarter_save(plan=entry["plan"], period_end=entry["period_q2"],
                     user=world.user("staff_a"),
                     measurements=[_mrow(indicator, entry["period_q2"], state="value",
                                         value=Decimal("3"))],
                     milestones=[stale])
    assert not Measurement.objects.filter(indicator=indicator,
                                          period_end=entry["period_q2"]).exists()


def test_measurements_refused_on_a_closed_plan_and_outside_the_year(world, entry):
    indicator = entry["indicator"]
    with pytest.raises(ValidationError):
        measurements_save(plan=entry["plan"], period_end=date(2031, 3, 31),
                          user=world.user("staff_a"),
                          rows=[_mrow(indicator, date(2031, 3, 31), state="nd")])
    set_plan_state(entry["plan"], "chiuso")
    entry["plan"].refresh_from_db()
    with pytest.raises(PermissionDenied):
        measurements_save(plan=entry["plan"], period_end=entry["period_q2"],
                          user=world.user("staff_a"),
                          rows=[_mrow(indicator, entry["period_q2"], state="nd")])
