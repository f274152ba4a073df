"""Reads about indicators: who is late with the quarterly measurements."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef

from objectives.models import OperatingPlan, Referent

from .models import Indicator, Measurement, Periodicity

QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


def quarter_end(today):
    """The last quarter end on or before ``today`` (31/03, 30/06, 30/09, 31/12)."""
    for month, day in reversed(QUARTER_ENDS):
        end = date(today.year, month, day)
        if end <= today:
            return end
    return date(today.year - 1, 12, 31)


def _periodicities_due(period_end):
    due = [Periodicity.QUARTERLY]
    if (period_end.month, period_end.day) in ((6, 30), (12, 31)):
        due.append(Periodicity.HALF_YEARLY)
    if (period_end.month, period_end.day) == (12, 31):
        due.append(Periodicity.YEARLY)
    return due


def indicators_missing(*, period_end, ambito=None):
    """Indicators due at ``period_end`` with no measurement for it (N.D. counts as given).

    Only plans in force are asked: the Piano Operativo of that year, approved and not closed.
    """
    measured = Measurement.objects.filter(indicator=OuterRef("pk"), period_end=period_end)
    indicators = Indicator.objects.filter(
        objective__plan__year=period_end.year,
        objective__plan__state=OperatingPlan.State.APPROVED,
        periodicity__in=_periodicities_due(period_end),
    ).filter(~Exists(measured))
    if ambito is not None:
        indicators = indicators.filter(objective__plan__zone_plan__ambito=ambito)
    return indicators.select_related("objective__plan__zone_plan__ambito").order_by(
        "objective__plan__zone_plan__ambito__name", "objective__number", "position", "pk"
    )


@dataclass
class LateReferent:
    """A referente with the indicators still empty for the period, for the dashboard."""

    referent: Referent
    indicators: list = field(default_factory=list)

    @property
    def user(self):
        return self.referent.user

    @property
    def email(self):
        return self.user.email if self.user is not None and self.user.is_active else ""


def late_referents(*, period_end, ambito=None):
    """Referenti whose objectives have indicators with no value for ``period_end``."""
    missing = {}
    for indicator in indicators_missing(period_end=period_end, ambito=ambito):
        missing.setdefault(indicator.objective_id, []).append(indicator)
    referents = (
        Referent.objects.filter(objective_id__in=missing)
        .select_related("user", "objective__plan__zone_plan__ambito")
        .order_by("objective__plan__zone_plan__ambito__name", "objective__number", "position")
    )
    return [LateReferent(referent, missing[referent.objective_id]) for referent in referents]
