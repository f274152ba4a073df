"""Who may open the browser pages, and what a plan in each state lets them change.

Rows are always filtered by ``Model.objects.restrict(user, action)``
(core/scoping.py); this module only adds the two rules the pages need on
top of it: auditors have no data-entry pages, and a plan's state decides what
is still editable.
"""

from dataclasses import dataclass

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse_lazy

from core.roles import VIEW, Role
from core.scoping import grants_for

# Auditors read through the API: the data-entry pages are for the people who enter data
# and for the Assemblea, who reads them.
ENTRY_PAGE_ROLES = frozenset({Role.STAFF, Role.REFERENT, Role.ASSEMBLY})
LOGIN_URL = reverse_lazy("entry:login")


def roles_in(user, ambito_id):
    grants = grants_for(user)
    return {role for role in Role.values if ambito_id in grants.ambiti(role)}


def may_open_entry_pages(user, ambito_id):
    if user.is_superuser:
        return True
    return bool(roles_in(user, ambito_id) & ENTRY_PAGE_ROLES)


def is_referent_only(user, ambito_id):
    """A referente sees the entry pages of their own objectives only."""
    if user.is_superuser:
        return False
    roles = roles_in(user, ambito_id)
    return Role.REFERENT in roles and not roles & {Role.STAFF, Role.ASSEMBLY}


@dataclass(frozen=True)
class PlanPolicy:
    """What a plan's state leaves editable in the pages and the imports.

    bozza: everything. approvato: the budget as approved is an act (voce, fund,
    action and preventivo change only through a variation, see budget/guards.py),
    but the year is still being lived: the consuntivo, the quarterly rilevazioni
    and the milestones' outcomes are entered. chiuso: nothing.
    """

    plan: object  # an objectives.OperatingPlan (the ground floor imports no app)

    @property
    def budget_editable(self):
        return self.plan.state == self.plan.State.DRAFT

    @property
    def consuntivo_editable(self):
        return self.plan.state != self.plan.State.CLOSED

    @property
    def monitoring_editable(self):
        return self.plan.state != self.plan.State.CLOSED

    @property
    def read_only(self):
        return not (self.budget_editable or self.consuntivo_editable)

    @property
    def notice(self):
        """The banner the pages show (empty for a draft)."""
        state = self.plan.get_state_display().lower()
        if self.plan.state == self.plan.State.CLOSED:
            return (
                f"Il {self.plan.title} è {state}: i dati sono in sola lettura."
            )
        if self.plan.state == self.plan.State.APPROVED:
            return (
                f"Il {self.plan.title} è approvato: voci, canali e importi preventivi sono "
                "bloccati e si modificano solo con una variazione approvata. Si possono "
                "ancora inserire il consuntivo, le rilevazioni trimestrali e l'esito dei traguardi."
            )
        return ""


def policy_for(plan):
    return PlanPolicy(plan)


def scoped_or_403(queryset, user, pk, action=VIEW):
    """The object ``pk`` if ``user`` may act on it; 403 if it exists but is not theirs."""
    obj = queryset.restrict(user, action).filter(pk=pk).first()
    if obj is not None:
        return obj
    if queryset.model._default_manager.filter(pk=pk).exists():
        raise PermissionDenied("Non hai accesso a questi dati.")
    raise Http404("Pagina non trovata.")


class PageAccessMixin(AccessMixin):
    """Pages need a logged-in user; anonymous visitors go to the login page."""

    login_url = LOGIN_URL
    entry_page = False  # data-entry pages: no auditors

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def check_entry_page(self, ambito_id):
        if self.entry_page and not may_open_entry_pages(self.request.user, ambito_id):
            raise PermissionDenied("Le pagine di inserimento non sono previste per il tuo ruolo.")


def plan_context(user, plan, *, nav):
    """What the header and the navigation need to know about the plan on screen."""
    ambito = plan.zone_plan.ambito
    return {
        "plan": plan,
        "ambito": ambito,
        "nav": nav,
        "show_entry_links": may_open_entry_pages(user, ambito.pk),
    }
