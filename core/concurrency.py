"""No lost update without a version column: forms carry a token of the row as loaded.

The token is a hash of the values the page showed. A save service recomputes it
from the locked row (``select_for_update``) inside its transaction: if the row
changed since the page was loaded, and the user changed it too, the save is
refused and the message names who changed what (from django-simple-history).
A hash of the values rather than the latest history id also catches writes that
left no history (``QuerySet.update``).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from .formatting import format_euro
from .numbers import format_measure

NEW_ROW = ""  # the token of a row that did not exist when the page was loaded


def _canonical(value):
    if value is None:
        return "∅"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def row_token(values):
    """A short, stable hash of a row's values (in a fixed order)."""
    text = "\x1f".join(_canonical(v) for v in values)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def display_value(value, *, money=False):
    if value is None or value == "":
        return "(vuoto)"
    if money:
        return format_euro(value)
    if isinstance(value, Decimal):
        return format_measure(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


@dataclass
class Conflict:
    """One row somebody else changed while the user was editing it."""

    key: object
    label: str
    who: str
    when: datetime | None
    changes: list = field(default_factory=list)  # (field label, before, after) as text
    deleted: bool = False
    token: str = NEW_ROW  # the row's token now: saving again overwrites knowingly

    @property
    def message(self):
        who = self.who or "un altro utente"
        when = ""
        if self.when is not None:
            local = timezone.localtime(self.when)
            when = f" il {local:%d/%m/%Y} alle {local:%H:%M}"
        if self.deleted:
            return f"{self.label}: è stata eliminata da {who}{when} mentre la stavi modificando."
        what = "; ".join(f"{name} da {old} a {new}" for name, old, new in self.changes)
        return (
            f"{self.label}: {who} l'ha modificata{when} mentre la stavi modificando"
            + (f" ({what})." if what else ".")
        )


class ConflictError(Exception):
    """The save was refused because others changed the same rows: nothing was written."""

    def __init__(self, conflicts):
        self.conflicts = list(conflicts)
        super().__init__("; ".join(c.message for c in self.conflicts))

    @property
    def messages(self):
        return [c.message for c in self.conflicts]


def _user_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def last_change(instance, fields, *, money_fields=()):
    """Who last changed ``instance`` and how: (who, when, [(label, before, after)]).

    ``fields`` are model field names; the diff is the latest history record
    against the one before it.
    """
    record = instance.history.select_related("history_user").order_by("-history_id").first()
    if record is None:
        return "", None, []
    previous = record.prev_record
    changes = []
    if previous is not None:
        for name in fields:
            model_field = instance._meta.get_field(name)
            old = getattr(previous, model_field.attname)
            new = getattr(record, model_field.attname)
            if old != new:
                if model_field.is_relation:
                    old = _related_text(model_field, old)
                    new = _related_text(model_field, new)
                is_money = name in money_fields
                changes.append(
                    (
                        str(model_field.verbose_name),
                        display_value(old, money=is_money),
                        display_value(new, money=is_money),
                    )
                )
    return _user_name(record.history_user), record.history_date, changes


def _related_text(model_field, pk):
    if pk is None:
        return None
    obj = model_field.related_model._default_manager.filter(pk=pk).first()
    return str(obj) if obj is not None else f"#{pk}"


def deleted_by(model, pk):
    """Who deleted the row ``pk`` of ``model`` (from its history), and when."""
    record = (
        model.history.filter(id=pk, history_type="-")
        .select_related("history_user")
        .order_by("-history_id")
        .first()
    )
    if record is None:
        return "", None
    return _user_name(record.history_user), record.history_date
