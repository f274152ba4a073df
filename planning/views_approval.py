"""Approval of a Piano Operativo (and of its Piano di Zona) from the plan page.

First what blocks it (objectives/services.py plan_approval_problems), then the act of
the Assemblea (registered in the same step or chosen among the acts of the ambito),
then the confirmation. The rules are the services'; this module only asks them.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views import View

from budget.selectors import plan_funding
from core.entry.access import PageAccessMixin, plan_context, policy_for
from governance.models import Deliberation
from governance.services import deliberation_create
from objectives.models import OperatingPlan, ZonePlan
from objectives.services import (
    APPROVERS,
    objectives_without_resources,
    plan_approval_problems,
    plan_approve,
    user_holds,
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


class PlanApprovalView(PageAccessMixin, View):
    template_name = "planning/approval/plan_approve.html"

    def load(self, request, pk):
        plan = scoped_or_404(OperatingPlan.objects.select_related("zone_plan__ambito"),
                             request.user, pk)
        if not user_holds(request.user, plan.zone_plan.ambito, *APPROVERS):
            raise PermissionDenied("Solo l'Ufficio di Piano e l'Assemblea dei Sindaci "
                                   "registrano l'approvazione del piano.")
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
        if not user_holds(request.user, zone_plan.ambito, *APPROVERS):
            raise PermissionDenied("Solo l'Ufficio di Piano e l'Assemblea dei Sindaci "
                                   "registrano l'approvazione del Piano di Zona.")
        return zone_plan

    def render(self, request, zone_plan, form, status=200):
        plan = zone_plan.operating_plans.order_by("-year").first()
        context = {"page_title": f"Approvazione del {zone_plan.title}", "zone_plan": zone_plan,
                   "ambito": zone_plan.ambito, "form": form, "plan": plan, "nav": "plan"}
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
