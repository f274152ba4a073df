"""Personal data: who sees which in the auditors' API, and the privacy notice (art. 13 GDPR).

The API policy lives here, in one place, and the base serializer applies it to every
serializer of a model, nested or not:

- names of referenti and of the members of the bodies are public-office information,
  printed in the approved plans and deliberations: every role with access to the ambito
  sees them (``PUBLIC_NAMES`` only documents this in the OpenAPI schema);
- what ties a person to an account of this application is needed only by whoever
  manages the accounts: the Ufficio di Piano of that ambito and superusers; every other
  role gets ``null`` in the same column (``RESTRICTED_FIELDS``), so that JSON and CSV
  keep one shape for every role;
- e-mail addresses, passwords and tokens are never serialised by any endpoint, and who
  made a change is shown as a name, never as an e-mail address (``person_name``).
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render

from core.roles import Role
from core.scoping import grants_for

PUBLIC_NAME_NOTE = (
    " Dato personale pubblicato negli atti approvati: visibile a ogni ruolo con accesso "
    "all'ambito."
)


@dataclass(frozen=True)
class RestrictedField:
    """An API field shown only to some roles in the object's ambito (and to superusers)."""

    name: str
    source: str  # a local column (``*_id``): deciding never costs a query
    description: str
    roles: frozenset

    @property
    def help_text(self):
        return (
            f"{self.description} Dato riservato: valorizzato solo per "
            f"{roles_label(self.roles)} e per i superutenti; null per gli altri ruoli."
        )


def roles_label(roles):
    names = sorted(f"{Role(role).label} dell'ambito" for role in roles)
    return ", ".join(names)


PUBLIC_NAMES = {
    "objectives.referent": ("name",),
    "governance.bodymember": ("name",),
}

RESTRICTED_FIELDS = {
    "objectives.referent": (
        RestrictedField(
            name="user_id",
            source="user_id",
            description="Identificativo dell'account utente collegato al referente "
            "(null se non ha un account).",
            roles=frozenset({Role.STAFF}),
        ),
    ),
}


def model_label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def public_names(model):
    return PUBLIC_NAMES.get(model_label(model), ())


def restricted_fields(model):
    return RESTRICTED_FIELDS.get(model_label(model), ())


def ambito_id_of(instance):
    """The ambito of a scoped object, through relations the viewsets already select."""
    path = type(instance).scope_ambito
    if path == "pk":
        return instance.pk
    *parents, last = path.split("__")
    obj = instance
    for name in parents:
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id")


def may_see(user, instance, roles):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    allowed = grants_for(user).ambiti(*roles)
    # Checked before walking to the ambito: roles without the right cost nothing.
    return bool(allowed) and ambito_id_of(instance) in allowed


def person_name(value):
    """Who made a change, as a name: a username that is an e-mail address loses its domain."""
    if value is None:
        return None
    text = str(value)
    return text.split("@", 1)[0] if "@" in text else text


# --- The privacy notice ------------------------------------------------------------------

# Who the data controller is changes with each deployment: the deployer sets it in the
# environment (or in settings under the same name) and the notice reads it at each request.
CONTROLLER_SETTINGS = {
    "name": ("PRIVACY_CONTROLLER_NAME", "l'ente capofila dell'Ambito territoriale"),
    "address": ("PRIVACY_CONTROLLER_ADDRESS", ""),
    "email": ("PRIVACY_CONTROLLER_EMAIL", ""),
    "pec": ("PRIVACY_CONTROLLER_PEC", ""),
    "dpo_email": ("PRIVACY_DPO_EMAIL", ""),
    "office": ("PRIVACY_OFFICE_NAME", "Ufficio di Piano"),
    "log_retention_days": ("PRIVACY_LOG_RETENTION_DAYS", "180"),
}


def controller():
    values = {}
    for key, (name, default) in CONTROLLER_SETTINGS.items():
        value = getattr(settings, name, None) or os.environ.get(name, "")
        values[key] = value.strip() if isinstance(value, str) else value
        values[key] = values[key] or default
    return values


def privacy_notice(request):
    """Informativa sul trattamento dei dati personali: public, no login needed."""
    return render(
        request,
        "privacy.html",
        {"page_title": "Informativa sul trattamento dei dati personali",
         "controller": controller()},
    )
