"""Entrate per canale of a plan, by stage, with their totals; and the consuntivo of the
whole plan from its Excel file.

The Ufficio di Piano of the ambito adds, changes and removes entrate (budget/income.py
holds the rules: preventivo in bozza, accertate while approved, nothing once closed, the
carried avanzo read-only); the Assemblea, the referenti and the revisori read (the forms
answer them 403 with the reason); plans of other ambiti do not exist for the user (404).
The totals are the selectors' (budget/selectors.py), never recomputed here.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from budget.income import (
    EDITORS,
    STAGES,
    allocation_create,
    allocation_delete,
    allocation_problem,
    allocation_update,
    is_carried,
    stage_problem,
)
from budget.models import BudgetLine, FundingAllocation
from budget.resources import PlanConsuntivoResource
from budget.selectors import allocation_totals, channel_totals, plan_allocations, plan_funding
from core.entry.access import (
    PageAccessMixin,
    PageMode,
    plan_context,
    policy_for,
    require_plan_reader,
)
from core.entry.imports import ImportPageMixin
from core.roles import VIEW
from objectives.models import OperatingPlan
from objectives.services import user_holds

from .forms_income import AllocationForm

FORBIDDEN = "Solo l'Ufficio di Piano dell'ambito registra le entrate del piano."
READER_REASON = ("Le entrate le registra l'Ufficio di Piano dell'ambito: il tuo ruolo consente "
                 "di consultarle.")
STAGE_TITLES = {STAGES.PLANNED: "Entrate a preventivo", STAGES.ACTUAL: "Entrate accertate"}


def plan_for_income(user, pk, *, edit=False):
    """The plan if ``user`` reads it (404 otherwise); 403 for whoever may not edit when
    ``edit``."""
    plan = (
        OperatingPlan.objects.restrict(user, VIEW).select_related("zone_plan__ambito")
        .filter(pk=pk).first()
    )
    if plan is None:
        raise Http404("Piano non trovato.")
    ambito = plan.zone_plan.ambito
    require_plan_reader(user, ambito.pk)
    if edit and not user_holds(user, ambito, *EDITORS):
        raise PermissionDenied(FORBIDDEN)
    return plan


def allocation_of(plan, row):
    allocation = (
        FundingAllocation.objects.filter(
            pk=row, ambito_id=plan.zone_plan.ambito_id, year=plan.year
        ).select_related("channel", "action__objective").first()
    )
    if allocation is None:
        raise Http404("Entrata non trovata.")
    return allocation


def income_url(plan, stage):
    anchor = "accertate" if stage == STAGES.ACTUAL else "preventivo"
    return reverse("planning:income", kwargs={"pk": plan.pk}) + f"#{anchor}"


def _stage_section(plan, stage, *, may_edit):
    rows = list(
        plan_allocations(plan=plan, stage=stage)
        .select_related("channel", "action__objective").order_by("position", "pk")
    )
    by_kind = []
    for kind, label in FundingAllocation.Kind.choices:
        items = [a for a in rows if a.kind == kind]
        if items:
            for a in items:
                a.locked = allocation_problem(plan=plan, allocation=a) if may_edit else None
                a.carried = is_carried(a)
            by_kind.append({"kind": kind, "label": label, "rows": items})
    totals = allocation_totals(ambito=plan.zone_plan.ambito, year=plan.year, stage=stage)
    problem = stage_problem(plan=plan, stage=stage)
    return {
        "stage": stage, "title": STAGE_TITLES[stage], "by_kind": by_kind, "count": len(rows),
        "totals": totals, "may_add": may_edit and problem is None, "problem": problem,
        "anchor": "preventivo" if stage == STAGES.PLANNED else "accertate",
    }


class IncomeView(PageAccessMixin, View):
    template_name = "planning/income/income.html"

    def get(self, request, pk):
        plan = plan_for_income(request.user, pk)
        may_edit = user_holds(request.user, plan.zone_plan.ambito, *EDITORS)
        context = plan_context(request.user, plan, nav="plan")
        context.update(
            page_title=f"Entrate per canale del {plan.year}", may_edit=may_edit,
            mode=PageMode(may_edit, "" if may_edit else READER_REASON),
            sections=[_stage_section(plan, s, may_edit=may_edit)
                      for s in (STAGES.PLANNED, STAGES.ACTUAL)],
            channels=channel_totals(plan=plan),
            funding_planned=plan_funding(plan=plan, prefer=STAGES.PLANNED),
            funding_actual=plan_funding(plan=plan, prefer=STAGES.ACTUAL),
            may_import_consuntivo=may_edit and plan.state == OperatingPlan.State.APPROVED,
        )
        return TemplateResponse(request, self.template_name, context)


class IncomeFormView(PageAccessMixin, View):
    template_name = "planning/income/form.html"

    def render(self, request, plan, form, *, stage, allocation=None, status=200):
        context = plan_context(request.user, plan, nav="plan")
        what = "entrata accertata" if stage == STAGES.ACTUAL else "entrata a preventivo"
        context.update(
            page_title=(f"Modifica dell'{what}" if allocation else f"Nuova {what}"),
            form=form, allocation=allocation, stage=stage,
            back_url=income_url(plan, stage),
        )
        return TemplateResponse(request, self.template_name, context, status=status)


def _creation_stage(plan):
    """A bozza records its preventivo, an approved plan its entrate accertate."""
    if plan.state == OperatingPlan.State.DRAFT:
        return STAGES.PLANNED
    if plan.state == OperatingPlan.State.APPROVED:
        return STAGES.ACTUAL
    raise PermissionDenied(stage_problem(plan=plan, stage=STAGES.ACTUAL))


class IncomeCreateView(IncomeFormView):
    def get(self, request, pk):
        plan = plan_for_income(request.user, pk, edit=True)
        stage = _creation_stage(plan)
        return self.render(request, plan, AllocationForm(plan=plan), stage=stage)

    def post(self, request, pk):
        plan = plan_for_income(request.user, pk, edit=True)
        stage = _creation_stage(plan)
        form = AllocationForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                allocation = allocation_create(plan=plan, user=request.user, stage=stage,
                                               reason=form.cleaned_data.get("reason") or "",
                                               **form.values())
            except ValidationError as exc:
                form.apply_service_error(exc)
            else:
                messages.success(request, f"Entrata «{allocation.label}» registrata.")
                return redirect(income_url(plan, stage))
        return self.render(request, plan, form, stage=stage, status=400)


class IncomeUpdateView(IncomeFormView):
    def editable(self, request, pk, row):
        plan = plan_for_income(request.user, pk, edit=True)
        allocation = allocation_of(plan, row)
        problem = allocation_problem(plan=plan, allocation=allocation)
        if problem:
            raise PermissionDenied(problem)
        return plan, allocation

    def get(self, request, pk, row):
        plan, allocation = self.editable(request, pk, row)
        form = AllocationForm(plan=plan, initial=AllocationForm.initial_for(allocation))
        return self.render(request, plan, form, stage=allocation.stage, allocation=allocation)

    def post(self, request, pk, row):
        plan, allocation = self.editable(request, pk, row)
        form = AllocationForm(request.POST, plan=plan,
                              initial=AllocationForm.initial_for(allocation))
        if form.is_valid():
            try:
                allocation = allocation_update(allocation=allocation, plan=plan,
                                               user=request.user,
                                               reason=form.cleaned_data.get("reason") or "",
                                               **form.values())
            except ValidationError as exc:
                form.apply_service_error(exc)
            else:
                messages.success(request, f"Entrata «{allocation.label}» aggiornata.")
                return redirect(income_url(plan, allocation.stage))
        return self.render(request, plan, form, stage=allocation.stage, allocation=allocation,
                           status=400)


class IncomeDeleteView(IncomeUpdateView):
    template_name = "planning/income/delete.html"

    def get(self, request, pk, row):
        plan, allocation = self.editable(request, pk, row)
        return self.render(request, plan, None, stage=allocation.stage, allocation=allocation)

    def post(self, request, pk, row):
        plan, allocation = self.editable(request, pk, row)
        try:
            allocation_delete(allocation=allocation, plan=plan, user=request.user)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, f"Entrata «{allocation.label}» eliminata.")
        return redirect(income_url(plan, allocation.stage))


# --- The consuntivo of the whole plan from its Excel file (approved plans) -----------------


class ConsuntivoImportView(ImportPageMixin, PageAccessMixin, View):
    template_name = "planning/income/consuntivo_import.html"
    resource_class = PlanConsuntivoResource
    kind = "consuntivo-piano"

    def import_scope(self):
        self.plan = plan_for_income(self.request.user, self.kwargs["pk"], edit=True)
        if self.plan.state != OperatingPlan.State.APPROVED:
            policy = policy_for(self.plan)
            raise PermissionDenied(
                policy.notice or f"Il {self.plan.title} è in bozza: il consuntivo si importa "
                "quando il piano è approvato."
            )
        return {"plan": self.plan}, f"plan:{self.plan.pk}"

    def page_context(self):
        context = plan_context(self.request.user, self.plan, nav="plan")
        lines = BudgetLine.objects.filter(action__objective__plan=self.plan)
        context.update(page_title=f"Importa il consuntivo del {self.plan.title}",
                       crumb="Importa il consuntivo", lines=lines.count(),
                       missing=lines.filter(consuntivo__isnull=True).exclude(preventivo=0)
                       .count(),
                       back_url=redirect("objectives:plan_detail", pk=self.plan.pk).url)
        return context

    def done_url(self):
        return redirect("objectives:plan_detail", pk=self.plan.pk)
