"""Writes of the classification: every change through here, atomic, with who and why."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from core.roles import Role
from objectives.services import delete_with_history, require_role, save_with_history

from .models import HUNDRED, Assignment, Dimension

CLASSIFIERS = (Role.STAFF,)


def _parse_shares(dimension, shares, *, year):
    """[(Code, Decimal)] from [(code text, share)], checked against the dimension."""
    if not shares:
        raise ValidationError("Indica almeno un codice.")
    if len(shares) > 1 and not dimension.splittable:
        raise ValidationError(
            f"La dimensione «{dimension.name}» non si ripartisce: indica un solo codice."
        )
    known = {c.code: c for c in dimension.codes.all()}
    parsed, seen = [], set()
    for code_text, share in shares:
        code = known.get(code_text)
        if code is None:
            raise ValidationError(
                f"Il codice «{code_text}» non esiste nella dimensione «{dimension.name}»."
            )
        if year is not None and not code.valid_in(year):
            raise ValidationError(f"Il codice «{code}» non è valido nell'anno {year}.")
        if code.pk in seen:
            raise ValidationError(f"Il codice «{code_text}» è indicato due volte.")
        seen.add(code.pk)
        try:
            value = Decimal(str(share)).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise ValidationError(f"Quota non valida per «{code_text}»: {share!r}.") from exc
        if not (Decimal("0") < value <= HUNDRED):
            raise ValidationError(f"La quota di «{code_text}» deve essere fra 0 e 100 %.")
        parsed.append((code, value))
    total = sum(v for _, v in parsed)
    if total != HUNDRED:
        raise ValidationError(
            f"Le quote sommano {str(total).replace('.', ',')} %: devono fare 100 %."
        )
    return parsed


@transaction.atomic
def classify(*, user, action, dimension, shares, reason, line=None, status=None):
    """Give ``action`` (or its ``line``) the codes of one dimension, replacing the previous.

    ``shares``: [(code, percentage)], summing to 100. Staff of the ambito only.
    """
    ambito = action.objective.plan.zone_plan.ambito
    require_role(user=user, ambito=ambito, roles=CLASSIFIERS, doing="classificare la spesa")
    if line is not None and line.action_id != action.pk:
        raise ValidationError("La riga non appartiene all'azione indicata.")
    if not (reason or "").strip():
        raise ValidationError("Indica la motivazione della classificazione.")
    if isinstance(dimension, str):
        dimension = Dimension.objects.filter(code=dimension).first()
        if dimension is None:
            raise ValidationError("Dimensione di classificazione sconosciuta.")
    parsed = _parse_shares(dimension, shares, year=action.objective.plan.year)
    # Ordered by pk: the default ordering joins the lines (nullable), which PostgreSQL
    # cannot lock FOR UPDATE.
    existing = Assignment.objects.select_for_update().filter(
        action=action, line=line, dimension=dimension
    ).order_by("pk")
    for old in existing:
        delete_with_history(old, user=user, reason=reason)
    created = []
    for code, share in parsed:
        row = Assignment(
            action=action, line=line, dimension=dimension, code=code, share=share,
            status=status or Assignment.Status.PROPOSED, reason=reason.strip(),
        )
        save_with_history(row, user=user, reason=reason.strip())
        created.append(row)
    return created


@transaction.atomic
def unclassify(*, user, action, dimension, reason, line=None):
    """Remove the codes of one dimension from ``action`` or its ``line``."""
    ambito = action.objective.plan.zone_plan.ambito
    require_role(user=user, ambito=ambito, roles=CLASSIFIERS, doing="classificare la spesa")
    removed = 0
    for old in Assignment.objects.filter(action=action, line=line, dimension=dimension):
        delete_with_history(old, user=user, reason=reason)
        removed += 1
    return removed


@transaction.atomic
def confirm(*, user, assignments, reason):
    """Mark proposed assignments as confirmed by a person."""
    confirmed = 0
    for row in assignments.select_related("action__objective__plan__zone_plan__ambito"):
        require_role(user=user, ambito=row.action.objective.plan.zone_plan.ambito,
                     roles=CLASSIFIERS, doing="confermare la classificazione")
        if row.status != Assignment.Status.CONFIRMED:
            row.status = Assignment.Status.CONFIRMED
            save_with_history(row, user=user, reason=reason)
            confirmed += 1
    return confirmed

