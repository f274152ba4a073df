"""Admin list actions offered only where they can do something (issue 18).

Django offers "Cancella … selezionati" to whoever holds the delete permission on the
model; on rows of a plan the freeze rule (core/freeze.py) then refuses the deletion of
every row of an approved or closed plan. The action is offered only when some row the
user sees may be deleted: a row of a plan in bozza, or of an approved plan for the models
whose rows stay editable while approved (``approved_rows``). The plan's own transitions
("Approva il piano", "Chiudi l'anno") name the states they start from in
``action_states``.
"""

from django.apps import apps
from django.db.models import Q

from core import freeze


def _plan_states():
    return apps.get_model("objectives", "OperatingPlan").State


def _state_lookup(model):
    return f"{model.plan_path}__state" if model.plan_path else "state"


def any_deletable(model, queryset):
    """Whether some row of ``queryset`` is not frozen against deletion."""
    if not freeze.belongs_to_plan(model):
        return True
    states = _plan_states()
    lookup = _state_lookup(model)
    condition = Q(**{lookup: states.DRAFT})
    rows = getattr(model, "approved_rows", None)
    if rows is True:
        condition |= Q(**{lookup: states.APPROVED})
    elif rows:
        condition |= Q(**{lookup: states.APPROVED, **rows})
    return queryset.filter(condition).exists()


class ActionsByPermissionMixin:
    """``get_actions`` without the actions that would only be refused."""

    # action name -> plan states (values) its rows must be in, e.g. {"approve_plan": ("bozza",)}
    action_states = {}

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not actions:
            return actions
        queryset = None
        if "delete_selected" in actions:
            queryset = self.get_queryset(request)
            if not any_deletable(self.model, queryset):
                del actions["delete_selected"]
        for name, states in self.action_states.items():
            if name in actions:
                queryset = self.get_queryset(request) if queryset is None else queryset
                lookup = _state_lookup(self.model)
                if not queryset.filter(**{f"{lookup}__in": states}).exists():
                    del actions[name]
        return actions
