"""Writes on governance: the acts (deliberazioni, determinazioni, decreti, accordi).

An act belongs to one ambito and is registered once: the same body (or issuing
body) cannot have two acts with the same number and date in one ambito. The
Ufficio di Piano registers acts; whoever may approve a plan may also register the
act in the same step (``roles``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.roles import Role
from core.scoping import grants_for

from .models import Deliberation

REGISTRARS = (Role.STAFF,)


def _holds(user, ambito, roles):
    if user is None or not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or ambito.pk in grants_for(user).ambiti(*roles)


def deliberation_duplicate(*, ambito, body=None, issuer="", number="", date=None, exclude=None):
    """The act of ``ambito`` with the same body/issuer, number and date, if any."""
    if not number or date is None:
        return None
    same = Deliberation.objects.filter(ambito=ambito, number__iexact=number.strip(), date=date)
    if body is not None:
        same = same.filter(body=body)
    else:
        same = same.filter(body__isnull=True, issuer__iexact=(issuer or "").strip())
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    return same.first()


def duplicate_message(existing):
    return (
        f"Esiste già l'{existing} con questo numero e questa data per lo stesso organismo "
        "o ente: sceglierlo dall'elenco invece di registrarlo di nuovo."
    )


@transaction.atomic
def deliberation_create(*, ambito, user, subject, approves=Deliberation.Subject.OTHER,
                        body=None, issuer="", number="", date=None, act=None,
                        roles=REGISTRARS):
    """Register an act of ``ambito``; refused (nothing written) if it is a duplicate."""
    if not _holds(user, ambito, roles):
        raise PermissionDenied(f"Non hai i permessi per registrare atti nell'{ambito}.")
    errors = {}
    if body is not None and body.ambito_id != ambito.pk:
        errors["body"] = f"L'organismo {body} non appartiene all'{ambito}."
    if body is None and not (issuer or "").strip():
        errors["issuer"] = "Indicare l'organismo che ha adottato l'atto o l'ente emanante."
    if not (subject or "").strip():
        errors["subject"] = "Indicare l'oggetto dell'atto."
    existing = deliberation_duplicate(
        ambito=ambito, body=body, issuer=issuer, number=number, date=date
    )
    if existing is not None:
        errors["number"] = duplicate_message(existing)
    if errors:
        raise ValidationError(errors)
    deliberation = Deliberation(
        ambito=ambito, body=body, issuer=(issuer or "").strip(), number=(number or "").strip(),
        date=date, subject=subject.strip(), approves=approves,
    )
    if act:
        deliberation.act = act
    deliberation.full_clean()  # the attached file's checks (core.uploads.validate_act)
    deliberation._history_user = user
    deliberation._change_reason = "Registrazione dell'atto"
    deliberation.save()
    return deliberation
