"""Approval of a Piano Operativo (and of its Piano di Zona) from the plan page.

First what blocks it (objectives/services.py plan_approval_problems), then the act of
the Assemblea (registered in the same step or chosen among the acts of the ambito),
then the confirmation. The rules are the services'; this module only asks them.

The Ufficio di Piano and the Assemblea approve; every other role of the ambito (referenti,
revisori) reads the same page without the form: the state, what blocks the approval, the
act that approved it. Their POST answers 403 with the reason.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views import View

from budget.selectors import plan_funding
from core.entry.access import (
    PageAccessMixin,
    plan_context,
    policy_for,
    require_plan_reader,
    role_page_mode,
)
from governance.models import Deliberation
from governance.services import deliberation_create
from objectives.models import OperatingPlan, ZonePlan
from objectives.services import (
    APPROVERS,
    objectives_without_resources,
    plan_approval_problems,
    plan_approve,
    zone_plan_approve,
)

from .forms_approval import PlanApprovalForm, ZonePlanApprovalForm
from .views_acts import scoped_or_404


def _act_from(form, *, ambito, user, approves):
    """The chosen act, or the new one registered now (inside the caller's transaction)."""
    if form.cleaned_data["mode"] == "existing":
        return form.cleaned_data["existing"]
    return deliberation_create(ambito=ambito, user=user, approves=approves, roles=APPROVERS,
                               **form.new_act_kwargs())


PLAN_REFUSAL = ("Solo l'Ufficio di Piano e l'Assemblea dei Sindaci registrano l'approvazione "
                "del piano.")
ZONE_PLAN_REFUSAL = ("Solo l'Ufficio di Piano e l'Assemblea dei Sindaci registrano "
                     "l'approvazione del Piano di Zona.")
READER_REASON = ("L'approvazione la registrano l'Ufficio di Piano e l'Assemblea dei Sindaci: "
                 "il tuo ruolo consente di consultarla.")


def _load(request, obj, ambito, refusal):
    """``obj`` for a reader's GET (with the read view's mode); 403 on a write by a reader."""
    require_plan_reader(request.user, ambito.pk)
    mode = role_page_mode(request.user, ambito, APPROVERS, READER_REASON)
    if request.method not in ("GET", "HEAD") and not mode.writable:
        raise PermissionDenied(refusal)
    return obj, mode


class PlanApprovalView(PageAccessMixin, View):
    template_name = "planning/approval/plan_approve.html"

    def load(self, request, pk):
        plan = scoped_or_404(OperatingPlan.objects.select_related("zone_plan__ambito"),
                             request.user, pk)
        plan, self.mode = _load(request, plan, plan.zone_plan.ambito, PLAN_REFUSAL)
        return plan

    def form(self, plan, data=None, files=None):
        self.zero = list(objectives_without_resources(plan=plan))
        self.funding = plan_funding(plan=plan)
        return PlanApprovalForm(data, files, plan=plan, zero_objectives=self.zero,
                                shortfall=self.funding["shortfall"])

    def render(self, request, plan, form, status=200):
        context = plan_context(request.user, plan, nav="plan")
        context.update(
            page_title=f"Approvazione del {plan.title}", policy=policy_for(plan), form=form,
            mode=self.mode, may_write=self.mode.writable,
            blockers=plan_approval_problems(plan=plan) if plan.state == "bozza" else [],
            zero_objectives=self.zero, funding=self.funding,
        )
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request, pk):
        plan = self.load(request, pk)
        return self.render(request, plan, self.form(plan))

    def post(self, request, pk):
        plan = self.load(request, pk)
        if plan.state != OperatingPlan.State.DRAFT:
            raise PermissionDenied(f"Il {plan.title} non è in bozza: non si approva di nuovo.")
        form = self.form(plan, request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    act = _act_from(form, ambito=plan.zone_plan.ambito, user=request.user,
                                    approves=Deliberation.Subject.OPERATING_PLAN)
                    plan_approve(
                        plan=plan, deliberation=act, user=request.user,
                        shortfall_note=form.cleaned_data.get("shortfall_note", ""),
                        zero_budget_reasons=form.zero_budget_reasons(),
                    )
            except ValidationError as exc:
                form.apply_service_error(exc)
                form.style()
            else:
                messages.success(request, f"{plan.title} approvato con {act}.")
                return redirect("objectives:plan_detail", pk=plan.pk)
        return self.render(request, plan, form, status=400)


class ZonePlanApprovalView(PageAccessMixin, View):
    template_name = "planning/approval/zone_plan_approve.html"

    def load(self, request, pk):
        zone_plan = scoped_or_404(ZonePlan.objects.select_related("ambito", "approval"),
                                  request.user, pk)
        zone_plan, self.mode = _load(request, zone_plan, zone_plan.ambito, ZONE_PLAN_REFUSAL)
        return zone_plan

    def render(self, request, zone_plan, form, status=200):
        plan = zone_plan.operating_plans.order_by("-year").first()
        context = {"page_title": f"Approvazione del {zone_plan.title}", "zone_plan": zone_plan,
                   "ambito": zone_plan.ambito, "form": form, "plan": plan, "nav": "plan",
                   "mode": self.mode, "may_write": self.mode.writable}
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request, pk):
        zone_plan = self.load(request, pk)
        return self.render(request, zone_plan, ZonePlanApprovalForm(zone_plan=zone_plan))

    def post(self, request, pk):
        zone_plan = self.load(request, pk)
        if zone_plan.approval_id is not None:
            raise PermissionDenied(f"Il {zone_plan.title} è già approvato.")
        form = ZonePlanApprovalForm(request.POST, request.FILES, zone_plan=zone_plan)
        if form.is_valid():
            try:
                with transaction.atomic():
                    act = _act_from(form, ambito=zone_plan.ambito, user=request.user,
                                    approves=Deliberation.Subject.ZONE_PLAN)
                    zone_plan_approve(zone_plan=zone_plan, deliberation=act, user=request.user)
            except ValidationError as exc:
                form.apply_service_error(exc)
                form.style()
            else:
                messages.success(request, f"{zone_plan.title} approvato con {act}.")
                plan = zone_plan.operating_plans.order_by("-year").first()
                if plan is not None:
                    return redirect("objectives:plan_detail", pk=plan.pk)
                return redirect("objectives:plan_list")
        return self.render(request, zone_plan, form, status=400)
