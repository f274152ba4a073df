"""Object-level permissions by Ambito: the one place that decides what a user sees.

Every scoped model declares ``scope_ambito`` (the lookup from the model to its
Ambito) and, when referenti may edit it, ``scope_objective`` (the lookup to
the Objective they answer for). Views, admin pages and API viewsets all call
``Model.objects.restrict(user, action)``; nobody filters by hand.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q

from . import freeze
from .roles import VIEW, WRITE_ACTIONS, Role

_CACHE_ATTR = "_pianozona_grants"


@dataclass(frozen=True)
class Grants:
    """The ambiti a user holds each role in."""

    by_role: dict = field(default_factory=dict)

    def ambiti(self, *roles):
        ids = set()
        for role in roles or self.by_role:
            ids |= self.by_role.get(role, set())
        return ids


def grants_for(user):
    """Memberships of a user, loaded once per user object (one query per request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    membership = apps.get_model("governance", "Membership")
    by_role = {}
    for ambito_id, role in membership.objects.filter(user=user).values_list("ambito_id", "role"):
        by_role.setdefault(role, set()).add(ambito_id)
    grants = Grants(by_role)
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user):
    """Drop the cached grants after memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _ambito_q(model, ambito_ids):
    return Q(**{f"{model.scope_ambito}__in": ambito_ids})


def scope_q(model, user, action=VIEW):
    """The filter selecting the rows of ``model`` that ``user`` may act on."""
    grants = grants_for(user)
    if action == VIEW:
        return _ambito_q(model, grants.ambiti())
    if action not in WRITE_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    q = _ambito_q(model, grants.ambiti(Role.STAFF))
    objective_path = getattr(model, "scope_objective", None)
    referent_ambiti = grants.ambiti(Role.REFERENT)
    if objective_path is not None and referent_ambiti:
        referent = apps.get_model("objectives", "Referent")
        own_objectives = referent.objects.filter(
            user=user, objective__plan__zone_plan__ambito__in=referent_ambiti
        ).values("objective_id")
        q |= Q(**{f"{objective_path}__in": own_objectives})
    return q


def can(user, action, model):
    """Whether ``user`` may perform ``action`` on some object of ``model`` at all."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    grants = grants_for(user)
    if action == VIEW:
        return bool(grants.ambiti())
    if grants.ambiti(Role.STAFF):
        return True
    return getattr(model, "scope_objective", None) is not None and bool(
        grants.ambiti(Role.REFERENT)
    )


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action=VIEW):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(scope_q(self.model, user, action))

    # The write paths of a queryset pass the freeze rule too (core/freeze.py).
    def update(self, **kwargs):
        freeze.check_queryset(self, "update", kwargs)
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        freeze.check_queryset(self, "delete")
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        freeze.check_bulk_create(self.model, objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        freeze.check_bulk_update(self.model, objs, fields)
        return super().bulk_update(objs, fields, *args, **kwargs)


class ScopedModel(models.Model):
    """Base for every model that belongs to an Ambito."""

    scope_ambito = "ambito"
    scope_objective = None
    # The freeze rule (core/freeze.py): the lookup to the OperatingPlan the row belongs to
    # ("" for the plan itself, None outside any plan) and what stays editable once approved.
    plan_path = None
    approved_fields = ()
    approved_rows = None
    always_editable = ()
    freeze_allowances = {}

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        freeze.check_save(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        freeze.check_delete(self)
        return super().delete(*args, **kwargs)

    delete.alters_data = True
