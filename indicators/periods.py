"""The four rilevazioni of a plan's year (31/03, 30/06, 30/09, 31/12) and which are due."""

from datetime import date

from .models import Periodicity

QUARTERS = (1, 2, 3, 4)
_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def quarter_end(year, quarter):
    month, day = _ENDS[quarter]
    return date(year, month, day)


def quarter_start(year, quarter):
    return date(year, 3 * quarter - 2, 1)


def quarter_of(period_end):
    """1-4 for a quarter end, None for any other date."""
    for quarter, (month, day) in _ENDS.items():
        if (period_end.month, period_end.day) == (month, day):
            return quarter
    return None


def current_quarter(year, today):
    """The quarter of ``year`` the office is working on: today's, clamped to the year."""
    if today.year < year:
        return 1
    if today.year > year:
        return 4
    return (today.month - 1) // 3 + 1


def is_due(periodicity, period_end):
    """Whether an indicator of ``periodicity`` is measured at ``period_end``."""
    quarter = quarter_of(period_end)
    if periodicity == Periodicity.HALF_YEARLY:
        return quarter in (2, 4)
    if periodicity == Periodicity.YEARLY:
        return quarter == 4
    return quarter is not None
