"""Who may open the browser pages, and what a plan in each state lets them change.

Rows are always filtered by ``Model.objects.restrict(user, action)``
(core/scoping.py); this module only adds the rules the pages need on top of it: every
role of an ambito reads its plan pages (a read view for whoever may not write them),
the writers' roles and a plan's state decide what is still editable.
"""

from dataclasses import dataclass
from functools import partial

from django.apps import apps
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse_lazy

from core.roles import CHANGE, VIEW, Role
from core.scoping import grants_for

# Every page of a plan (budget grid, quarterly figures, structure, acts, variations, entrate,
# approval and closing) is read by every role of the ambito, revisori and the Assemblea
# included (issue 18): it opens as a read view, with the same content and no control that
# changes data, for whoever may not write it (PageMode below). Writes stay with the roles
# each page names, and are refused (403, with the reason) to everybody else.
WRITER_ROLES = frozenset({Role.STAFF, Role.REFERENT})
LOGIN_URL = reverse_lazy("entry:login")

READER_REASON = "Il tuo ruolo consente di consultare questi dati, non di modificarli."
BUDGET_REFERENT_REASON = (
    "Il budget lo inserisce l'Ufficio di Piano: come referente puoi consultarlo."
)
NOT_YOUR_OBJECTIVE = "Puoi modificare solo i dati degli obiettivi di cui sei referente."


def roles_in(user, ambito_id):
    grants = grants_for(user)
    return {role for role in Role.values if ambito_id in grants.ambiti(role)}


def may_read_plan_pages(user, ambito_id):
    """The pages of an ambito's plans: every role of the ambito reads them."""
    if user.is_superuser:
        return True
    return bool(roles_in(user, ambito_id))


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

    @property
    def reader_notice(self):
        """The banner for those who only read (Assemblea, revisori): what the plan is, not
        what may still be entered."""
        plan = self.plan
        if plan.state == plan.State.APPROVED:
            act = plan.approval
            if act is None:
                return f"Il {plan.title} è approvato: sola consultazione."
            number = f" n. {act.number}" if act.number else ""
            day = f" del {act.date:%d/%m/%Y}" if act.date else ""
            return f"Il {plan.title} è approvato con delibera{number}{day}: sola consultazione."
        return self.notice


def policy_for(plan):
    return PlanPolicy(plan)


@dataclass(frozen=True)
class PageMode:
    """Whether a page opens as a form or as a read view, and why it is read-only.

    ``reason`` is the Italian sentence the read view shows, and the message of the 403
    a write attempt gets.
    """

    writable: bool
    reason: str = ""

    @property
    def read_only(self):
        return not self.writable


def _mode(user, plan, *, state_allows, rows_writable, writer_roles, no_rows_reason):
    if not state_allows:
        policy = policy_for(plan)
        return PageMode(False, policy.notice or "Il piano non è modificabile.")
    if rows_writable:
        return PageMode(True)
    if not user.is_superuser and not roles_in(user, plan.zone_plan.ambito_id) & writer_roles:
        return PageMode(False, READER_REASON)
    return PageMode(False, no_rows_reason)


def budget_page_mode(user, plan, *, rows_writable):
    """The budget grid of an objective: the Ufficio di Piano writes it while the plan is a
    bozza (everything) or approvato (the consuntivo); everybody else reads it."""
    return _mode(user, plan, state_allows=policy_for(plan).consuntivo_editable,
                 rows_writable=rows_writable, writer_roles={Role.STAFF},
                 no_rows_reason=BUDGET_REFERENT_REASON)


def may_write_measurements(user, plan):
    """Whether ``user`` may enter quarterly values or milestone outcomes in ``plan`` now."""
    if not policy_for(plan).monitoring_editable:
        return False
    return any(
        apps.get_model("indicators", name).objects.restrict(user, CHANGE)
        .filter(objective__plan=plan).exists()
        for name in ("Indicator", "Milestone")
    )


def quarter_page_mode(user, plan):
    """The quarterly page: staff and the referenti of the objectives write it until the
    plan is closed; the Assemblea and the revisori read it."""
    policy = policy_for(plan)
    return _mode(user, plan, state_allows=policy.monitoring_editable,
                 rows_writable=policy.monitoring_editable and may_write_measurements(user, plan),
                 writer_roles=WRITER_ROLES, no_rows_reason=NOT_YOUR_OBJECTIVE)


def role_page_mode(user, ambito, writer_roles, refusal):
    """A page its writers use as a form and every other role of the ambito reads: the
    approval of a plan, the closing of the year. ``refusal`` is the Italian reason the
    read view shows and a write attempt gets with its 403."""
    if user.is_superuser or roles_in(user, ambito.pk) & set(writer_roles):
        return PageMode(True)
    return PageMode(False, refusal)


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

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


def require_plan_reader(user, ambito_id):
    """403 for a user with no role in the ambito (rows outside their ambiti are 404 first)."""
    if not may_read_plan_pages(user, ambito_id):
        raise PermissionDenied("Le pagine del piano non sono previste per il tuo ruolo.")


def plan_context(user, plan, *, nav):
    """What the header and the navigation need to know about the plan on screen."""
    ambito = plan.zone_plan.ambito
    return {
        "plan": plan,
        "ambito": ambito,
        "nav": nav,
        # Every page of the plan (a read view for readers).
        "show_entry_links": may_read_plan_pages(user, ambito.pk),
        "show_plan_pages": may_read_plan_pages(user, ambito.pk),
        # Readers (Assemblea, revisori) get banners addressed to them.
        "reads_only": not user.is_superuser and not roles_in(user, ambito.pk) & WRITER_ROLES,
        # Called by the template only where a page offers "Inserisci le rilevazioni".
        "may_enter_measurements": partial(may_write_measurements, user, plan),
    }
