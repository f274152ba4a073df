"""The budget grid of an objective saved in one go: all rows or none, never over a colleague.

The rules of a single line (draft-only preventivo, consuntivo of an approved plan,
overspending) belong to budget/services.py; this module adds what a page of many
rows needs on top: scope, the plan's state, and the lost-update check.
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
from objectives.models import Action

from . import services
from .models import BudgetLine

# What the grid edits of a line, in the order the token hashes them.
LINE_FIELDS = ("item", "note", "channel", "preventivo", "consuntivo")
BUDGET_FIELDS = ("item", "note", "channel", "preventivo")
MONEY_FIELDS = ("preventivo", "consuntivo")


def line_values(line):
    return {
        "item": line.item,
        "note": line.note,
        "channel": line.channel_id,
        "preventivo": line.preventivo,
        "consuntivo": line.consuntivo,
    }


def values_token(values):
    return row_token([values[name] for name in LINE_FIELDS])


def line_token(line):
    """The token a page carries for ``line`` as it showed it."""
    return values_token(line_values(line))


@dataclass
class BudgetRow:
    """One row of the grid, already parsed (money as Decimal, channel as id)."""

    action_id: int
    item: str = ""
    note: str = ""
    channel: int | None = None
    preventivo: object = None
    consuntivo: object = None
    line_id: int | None = None
    token: str = NEW_ROW
    delete: bool = False
    key: object = None  # how the caller names the row back (the form's index)

    def values(self):
        return {name: getattr(self, name) for name in LINE_FIELDS}


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    warnings: list = field(default_factory=list)

    @property
    def changed(self):
        return self.created + self.updated + self.deleted


def _label(line):
    return f"La riga «{line}» dell'azione {line.action.number}"


def _conflict(line, key):
    who, when, changes = last_change(line, LINE_FIELDS, money_fields=MONEY_FIELDS)
    return Conflict(key=key, label=_label(line), who=who, when=when, changes=changes,
                    token=line_token(line))


def writable_actions(*, objective, user):
    return {
        action.pk: action
        for action in Action.objects.restrict(user, CHANGE).filter(objective=objective)
    }


def check_rows_allowed(*, plan, changes):
    """Refuse what the plan's state freezes: ``changes`` is a set of LINE_FIELDS names."""
    policy = policy_for(plan)
    if changes & set(BUDGET_FIELDS) and not policy.budget_editable:
        raise PermissionDenied(policy.notice or "Il budget di questo piano non è modificabile.")
    if "consuntivo" in changes and not policy.consuntivo_editable:
        raise PermissionDenied(
            f"Il {plan.title} è {plan.get_state_display().lower()}: il consuntivo non si "
            "modifica."
        )


def line_apply(*, line, action, values, user, channels):
    """Write one row through the single-line services; returns their warnings.

    ``line`` is the row as it is in the database (None for a new one).
    """
    channel = channels.get(values["channel"]) if values["channel"] else None
    if line is None:
        result = services.budget_line_create(
            action=action, user=user, item=values["item"], note=values["note"],
            channel=channel, preventivo=values["preventivo"],
        )
        return result.warnings
    warnings = []
    current = line_values(line)
    changed = {
        name: (channel if name == "channel" else values[name])
        for name in BUDGET_FIELDS
        if values[name] != current[name]
    }
    if changed:
        warnings += services.budget_line_update(line=line, user=user, **changed).warnings
    if values["consuntivo"] != current["consuntivo"]:
        line.refresh_from_db()
        warnings += services.budget_line_set_consuntivo(
            line=line, amount=values["consuntivo"], user=user
        ).warnings
    return warnings


def line_delete(*, line, user):
    line._history_user = user
    line._change_reason = "Riga eliminata dalla pagina del budget"
    line.delete()


@transaction.atomic
def budget_lines_save(*, objective, user, rows):
    """Save the grid of ``objective``: every row or none.

    ``rows`` are BudgetRow. Rows the user did not touch (their values equal the
    token they were loaded with) are left alone, so a colleague's change to them
    survives. A row the user changed that somebody else changed in the meantime
    stops the whole save with a ConflictError naming who changed what.
    """
    plan = objective.plan
    actions = writable_actions(objective=objective, user=user)
    if not actions:
        raise PermissionDenied("Non hai i permessi per modificare il budget di questo obiettivo.")
    ids = [row.line_id for row in rows if row.line_id]
    # Lock only the lines: the joins of the scope filter must not be locked with them.
    locked = {
        line.pk: line
        for line in BudgetLine.objects.restrict(user, CHANGE)
        .filter(pk__in=ids, action__objective=objective)
        .select_for_update(of=("self",))
        .select_related("action", "channel")
    }
    channels = {c.pk: c for c in plan.zone_plan.ambito.funding_channels.all()}

    conflicts, todo, frozen = [], [], set()
    for row in rows:
        if row.action_id not in actions:
            raise PermissionDenied("La riga non appartiene a un'azione di questo obiettivo.")
        if row.channel and row.channel not in channels:
            raise ValidationError({str(row.key): ["Canale di finanziamento non valido."]})
        if row.line_id is None:
            if row.delete or not _has_content(row):
                continue
            frozen |= {"preventivo"}
            todo.append((row, None))
            continue
        line = locked.get(row.line_id)
        if line is None:
            if BudgetLine.objects.filter(pk=row.line_id).exists():
                raise PermissionDenied("Non hai i permessi per modificare questa riga.")
            who, when = deleted_by(BudgetLine, row.line_id)
            conflicts.append(
                Conflict(key=row.key, label="Una riga che stavi modificando", who=who,
                         when=when, deleted=True)
            )
            continue
        submitted = values_token(row.values())
        if not row.delete and submitted == row.token:
            continue  # untouched by this user
        current = line_token(line)
        if current != row.token and current != submitted:
            conflicts.append(_conflict(line, row.key))
            continue
        if row.delete:
            frozen |= {"preventivo"}
        else:
            frozen |= {n for n, v in row.values().items() if v != line_values(line)[n]}
        todo.append((row, line))
    if conflicts:
        raise ConflictError(conflicts)
    check_rows_allowed(plan=plan, changes=frozen)

    result, errors = SaveResult(), {}
    for row, line in todo:
        try:
            if row.delete:
                line_delete(line=line, user=user)
                result.deleted += 1
            else:
                result.warnings += line_apply(
                    line=line, action=actions[row.action_id], values=row.values(),
                    user=user, channels=channels,
                )
                if line is None:
                    result.created += 1
                else:
                    result.updated += 1
        except ValidationError as exc:
            errors[str(row.key)] = exc.messages
    if errors:
        raise ValidationError(errors)
    return result


def _has_content(row):
    return bool(row.item or row.note or row.preventivo or row.consuntivo or row.channel)
