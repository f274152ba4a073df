"""Writes on governance: the acts (deliberazioni, determinazioni, decreti, accordi).

An act belongs to one ambito and is registered once: the same body (or issuing
body) cannot have two acts with the same number and date in one ambito. The
Ufficio di Piano registers acts; whoever may approve a plan may also register the
act in the same step (``roles``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.formatting import format_euro
from core.roles import Role
from core.scoping import grants_for

from .models import Deliberation, MunicipalSpending

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


# --- The Comuni's spesa sociale ------------------------------------------------------------

SPENDING_EDITORS = (Role.STAFF,)


def spending_problems(*, amount, amount_single, amount_associated):
    """Italian messages (by field) for a total and its split; {} when they are consistent."""
    errors = {}
    if (amount_single is None) != (amount_associated is None):
        missing = "amount_associated" if amount_associated is None else "amount_single"
        errors[missing] = ("Indicare sia la gestione singola sia la gestione associata, "
                           "oppure nessuna delle due.")
    elif amount_single is not None and amount is not None and (
            amount_single + amount_associated != amount):
        errors["amount"] = (
            f"Gestione singola ({format_euro(amount_single)}) e associata "
            f"({format_euro(amount_associated)}) sommano "
            f"{format_euro(amount_single + amount_associated)}, non {format_euro(amount)}.")
    if amount is None and amount_single is None:
        errors["amount"] = "Indicare la spesa sociale totale del Comune."
    return errors


@transaction.atomic
def spending_save(*, municipality, year, user, amount=None, amount_single=None,
                  amount_associated=None, source="", reason=""):
    """Record (or correct) the spesa sociale of ``municipality`` in ``year``, with history.

    The total may be left out when both parts are given (it is their sum). Refused with the
    reason, nothing written, if the split is half given or does not add up.
    """
    if not _holds(user, municipality.ambito, SPENDING_EDITORS):
        raise PermissionDenied("Solo l'Ufficio di Piano dell'ambito registra la spesa sociale "
                               "dei Comuni.")
    if amount is None and amount_single is not None and amount_associated is not None:
        amount = amount_single + amount_associated
    errors = spending_problems(amount=amount, amount_single=amount_single,
                               amount_associated=amount_associated)
    if errors:
        raise ValidationError(errors)
    spending = (MunicipalSpending.objects.select_for_update()
                .filter(municipality=municipality, year=year).first())
    created = spending is None
    if created:
        spending = MunicipalSpending(municipality=municipality, year=year)
    spending.amount = amount
    spending.amount_single = amount_single
    spending.amount_associated = amount_associated
    spending.source = (source or "").strip() or spending.source or "Ufficio di Piano"
    spending._history_user = user
    spending._change_reason = (reason or "").strip() or (
        "Spesa sociale registrata" if created else "Spesa sociale corretta")
    spending.save()
    return spending
