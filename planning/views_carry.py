"""New plan from last year: choose what to carry, see what will be created, confirm.

The Ufficio di Piano of the ambito only (others 403); plans of other ambiti do not
exist for the user (404). The rules and the writes are objectives.services'. The plan's
budget in Excel is downloaded by every role of the ambito.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import ngettext
from django.views import View

from budget.models import BudgetLine
from budget.resources import BudgetLineResource
from core.entry.access import PageAccessMixin, plan_context, policy_for, require_plan_reader
from core.entry.imports import ImportPageMixin
from core.roles import VIEW
from objectives.models import OperatingPlan
from objectives.services import (
    CLOSERS,
    Amounts,
    objectives_mentioning_year,
    plan_carry_summary,
    plan_create_from,
    plan_create_from_problems,
    user_holds,
)

from .forms_carry import CarryForm

SUMMARY_ROWS = (
    ("objectives", "obiettivo", "obiettivi"),
    ("actions", "azione", "azioni"),
    ("referents", "referente", "referenti"),
    ("indicators", "indicatore", "indicatori"),
    ("ranges", "range di valutazione", "range di valutazione"),
    ("milestones", "traguardo", "traguardi"),
    ("budget", "riga di budget", "righe di budget"),
)


def source_plan(user, pk):
    plan = (
        OperatingPlan.objects.restrict(user, VIEW).select_related("zone_plan__ambito")
        .filter(pk=pk).first()
    )
    if plan is None:
        raise Http404("Piano non trovato.")
    if not user_holds(user, plan.zone_plan.ambito, *CLOSERS):
        raise PermissionDenied(
            "Solo l'Ufficio di Piano dell'ambito crea il Piano Operativo dell'anno successivo."
        )
    return plan


def summary_rows(summary):
    return [
        {"key": key, "count": summary["counts"][key],
         "label": ngettext(one, many, summary["counts"][key])}
        for key, one, many in SUMMARY_ROWS
    ]


class CarryView(PageAccessMixin, View):
    template_name = "planning/carry/carry_form.html"

    def render(self, form, *, summary=None, status=200):
        context = plan_context(self.request.user, self.plan, nav="plan")
        context.update(
            page_title=f"Nuovo piano dal {self.plan.title}", crumb="Nuovo piano dall'anno",
            form=form, summary=summary,
            checkboxes=[form[name] for name in ("objectives", "referents", "indicators",
                                                "milestones", "budget")],
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        self.plan = source_plan(request.user, pk)
        return self.render(CarryForm(source=self.plan))

    def post(self, request, pk):
        self.plan = source_plan(request.user, pk)
        form = CarryForm(request.POST, source=self.plan)
        if not form.is_valid():
            return self.render(form, status=400)
        year = form.cleaned_data["year"]
        problems = plan_create_from_problems(source=self.plan, year=year, user=request.user)
        if problems:
            for problem in problems:
                form.add_error("year", problem)
            return self.render(form, status=400)
        carry = form.carry()
        if "confirm" not in request.POST:
            summary = plan_carry_summary(source=self.plan, carry=carry)
            summary.update(
                year=year, rows=summary_rows(summary), carry=carry,
                amounts_label=Amounts(carry.amounts).label,
            )
            return self.render(form, summary=summary)
        try:
            plan = plan_create_from(source=self.plan, year=year, user=request.user, carry=carry)
        except ValidationError as exc:
            for problem in exc.messages:
                form.add_error("year", problem)
            return self.render(form, status=400)
        messages.success(request, f"Creato il {plan.title} in bozza dal {self.plan.title}.")
        review = objectives_mentioning_year(plan=plan, year=self.plan.year)
        if review:
            numbers = ", ".join(str(objective.number) for objective, _ in review)
            messages.warning(request, ngettext(
                "Da rivedere: l'obiettivo %(numbers)s ha testi che citano il %(year)s.",
                "Da rivedere: gli obiettivi %(numbers)s hanno testi che citano il %(year)s.",
                len(review),
            ) % {"numbers": numbers, "year": self.plan.year})
        return redirect("objectives:plan_detail", pk=plan.pk)


# --- The plan's whole budget in Excel: out, and in (also a file of last year's plan) --------


def staff_plan(user, pk, *, write=True):
    """A plan of the user's ambito for its Ufficio di Piano (404 elsewhere, 403 other roles);
    with ``write=False`` for every role of the ambito."""
    plan = (
        OperatingPlan.objects.restrict(user, VIEW).select_related("zone_plan__ambito")
        .filter(pk=pk).first()
    )
    if plan is None:
        raise Http404("Piano non trovato.")
    if not write:
        require_plan_reader(user, plan.zone_plan.ambito_id)
    elif not user_holds(user, plan.zone_plan.ambito, *CLOSERS):
        raise PermissionDenied("Solo l'Ufficio di Piano dell'ambito gestisce il budget del piano.")
    return plan


class PlanBudgetExportView(PageAccessMixin, View):
    def get(self, request, pk, fmt):
        plan = staff_plan(request.user, pk, write=False)
        lines = BudgetLine.objects.restrict(request.user).filter(action__objective__plan=plan)
        resource = BudgetLineResource(user=request.user, plan=plan)
        return resource.export_response(lines, fmt=fmt, filename=f"budget-piano-{plan.year}")


class PlanBudgetImportView(ImportPageMixin, PageAccessMixin, View):
    template_name = "planning/carry/budget_import.html"
    resource_class = BudgetLineResource
    kind = "budget-piano"

    def import_scope(self):
        self.plan = staff_plan(self.request.user, self.kwargs["pk"])
        policy = policy_for(self.plan)
        if not policy.budget_editable:
            raise PermissionDenied(policy.notice)
        return {"plan": self.plan}, f"plan:{self.plan.pk}"

    def page_context(self):
        context = plan_context(self.request.user, self.plan, nav="plan")
        context.update(page_title=f"Importa il budget del {self.plan.title}",
                       crumb="Importa il budget",
                       back_url=redirect("objectives:plan_detail", pk=self.plan.pk).url)
        return context

    def done_url(self):
        return redirect("objectives:plan_detail", pk=self.plan.pk)
