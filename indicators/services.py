"""Writes of the quarterly page: rilevazioni and milestone outcomes, all or none.

The form carries a token of each row as it was loaded; a row somebody else changed
meanwhile refuses the save (ConflictError names who and what) instead of being
overwritten.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.concurrency import (
    NEW_ROW,
    Conflict,
    ConflictError,
    deleted_by,
    last_change,
    row_token,
)
from core.entry.access import policy_for
from core.roles import CHANGE

from .models import Indicator, Measurement, Milestone
from .periods import quarter_of

MEASUREMENT_FIELDS = ("state", "value", "text_value", "note")
MILESTONE_FIELDS = ("achieved", "note")


def measurement_token(measurement):
    if measurement is None:
        return NEW_ROW
    return row_token([getattr(measurement, name) for name in MEASUREMENT_FIELDS])


def milestone_token(milestone):
    return row_token([getattr(milestone, name) for name in MILESTONE_FIELDS])


@dataclass
class MeasurementRow:
    """A rilevazione as typed: ``state`` None means "nothing entered" (no row)."""

    indicator_id: int
    state: str | None = None
    value: object = None
    text_value: str = ""
    note: str = ""
    token: str = NEW_ROW

    @property
    def empty(self):
        return self.state is None

    def submitted_token(self):
        if self.empty:
            return NEW_ROW
        return row_token([self.state, self.value, self.text_value, self.note])


@dataclass
class MilestoneRow:
    milestone_id: int
    achieved: str = ""
    note: str = ""
    token: str = NEW_ROW

    def submitted_token(self):
        return row_token([self.achieved, self.note])


@dataclass
class QuarterResult:
    saved: int = 0
    deleted: int = 0
    milestones: int = 0
    skipped: list = field(default_factory=list)


def _require_open(plan):
    policy = policy_for(plan)
    if not policy.monitoring_editable:
        raise PermissionDenied(policy.notice)


def _check_period(plan, period_end):
    if period_end.year != plan.year or quarter_of(period_end) is None:
        raise ValidationError(
            f"La rilevazione al {period_end:%d/%m/%Y} non è un fine trimestre del {plan.year}."
        )


@transaction.atomic
def measurements_save(*, plan, period_end, user, rows):
    """Record the rilevazioni of ``period_end`` for the indicators of ``rows``."""
    _require_open(plan)
    _check_period(plan, period_end)
    ids = [row.indicator_id for row in rows]
    # Locking the indicators serialises two first entries of the same period.
    indicators = {
        i.pk: i
        for i in Indicator.objects.restrict(user, CHANGE)
        .filter(pk__in=ids, objective__plan=plan)
        .select_for_update(of=("self",))
    }
    if set(ids) - set(indicators):
        raise PermissionDenied("Non hai i permessi per registrare alcune di queste rilevazioni.")
    existing = {
        m.indicator_id: m
        for m in Measurement.objects.filter(indicator__in=ids, period_end=period_end)
        .select_for_update(of=("self",))
    }
    conflicts, todo = [], []
    for row in rows:
        submitted = row.submitted_token()
        if submitted == row.token:
            continue
        current_row = existing.get(row.indicator_id)
        current = measurement_token(current_row)
        if current != row.token and current != submitted:
            indicator = indicators[row.indicator_id]
            label = f"La rilevazione di «{indicator.name[:80]}» al {period_end:%d/%m/%Y}"
            if current_row is None:
                who, when = _deleted_measurement(row.indicator_id, period_end)
                conflicts.append(Conflict(key=("m", row.indicator_id), label=label, who=who,
                                          when=when, deleted=True, token=current))
            else:
                who, when, changes = last_change(current_row, MEASUREMENT_FIELDS)
                conflicts.append(Conflict(key=("m", row.indicator_id), label=label, who=who,
                                          when=when, changes=changes, token=current))
            continue
        if current != submitted:
            todo.append((row, current_row))
    if conflicts:
        raise ConflictError(conflicts)
    result = QuarterResult()
    for row, measurement in todo:
        if row.empty:
            if measurement is not None:
                measurement._history_user = user
                measurement.delete()
                result.deleted += 1
            continue
        if measurement is None:
            measurement = Measurement(indicator=indicators[row.indicator_id],
                                      period_end=period_end)
        measurement.state, measurement.value = row.state, row.value
        measurement.text_value, measurement.note = row.text_value, row.note
        measurement._history_user = user
        measurement._change_reason = "Rilevazione trimestrale"
        measurement.save()
        result.saved += 1
    return result


def _deleted_measurement(indicator_id, period_end):
    record = (
        Measurement.history.filter(indicator_id=indicator_id, period_end=period_end,
                                   history_type="-")
        .order_by("-history_id").first()
    )
    if record is None:
        return "", None
    return deleted_by(Measurement, record.id)


@transaction.atomic
def milestones_save(*, plan, user, rows):
    """Record whether milestones were reached (Sì / No / –) and their notes."""
    _require_open(plan)
    ids = [row.milestone_id for row in rows]
    milestones = {
        m.pk: m
        for m in Milestone.objects.restrict(user, CHANGE)
        .filter(pk__in=ids, objective__plan=plan)
        .select_for_update(of=("self",))
    }
    if set(ids) - set(milestones):
        raise PermissionDenied("Non hai i permessi per modificare alcuni di questi traguardi.")
    conflicts, todo = [], []
    for row in rows:
        submitted = row.submitted_token()
        if submitted == row.token:
            continue
        milestone = milestones[row.milestone_id]
        current = milestone_token(milestone)
        if current != row.token and current != submitted:
            who, when, changes = last_change(milestone, MILESTONE_FIELDS)
            conflicts.append(Conflict(key=("t", milestone.pk),
                                      label=f"Il traguardo «{milestone.title[:80]}»",
                                      who=who, when=when, changes=changes, token=current))
            continue
        if current != submitted:
            todo.append((row, milestone))
    if conflicts:
        raise ConflictError(conflicts)
    for row, milestone in todo:
        milestone.achieved, milestone.note = row.achieved, row.note
        milestone._history_user = user
        milestone._change_reason = "Esito del traguardo"
        milestone.save()
    return len(todo)


@transaction.atomic
def quarter_save(*, plan, period_end, user, measurements, milestones):
    """The quarterly page in one transaction; every conflict of both lists is reported."""
    conflicts, result = [], QuarterResult()
    try:
        partial = measurements_save(plan=plan, period_end=period_end, user=user,
                                    rows=measurements)
        result.saved, result.deleted = partial.saved, partial.deleted
    except ConflictError as exc:
        conflicts += exc.conflicts
    try:
        result.milestones = milestones_save(plan=plan, user=user, rows=milestones)
    except ConflictError as exc:
        conflicts += exc.conflicts
    if conflicts:
        raise ConflictError(conflicts)
    return result
