"""Variations of an approved plan, from its budget grid, and the plan's printable list.

The Ufficio di Piano records them (budget/services.py variation_create and
variation_add_line); the Assemblea, the referenti and the revisori read and print the list.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views import View

from budget.admin_forms import budget_line_label
from budget.models import BudgetLine, Variation
from budget.selectors import lines_with_approved_preventivo, preventivo_versions
from budget.services import EDITORS, variation_add_line, variation_create
from core.entry.access import (
    PageAccessMixin,
    plan_context,
    policy_for,
    require_plan_reader,
)
from core.formatting import format_euro
from governance.services import deliberation_create
from objectives.models import Action, OperatingPlan
from objectives.services import user_holds

from .forms_variations import APPROVES, AddLineForm, VariationForm
from .views_acts import scoped_or_404

ZERO = Decimal("0.00")


def _act_from(form, *, plan, user):
    if form.cleaned_data["mode"] == "existing":
        return form.cleaned_data["existing"]
    return deliberation_create(ambito=plan.zone_plan.ambito, user=user, approves=APPROVES,
                               roles=EDITORS, **form.new_act_kwargs())


def _require_editor(user, plan):
    if not user_holds(user, plan.zone_plan.ambito, *EDITORS):
        raise PermissionDenied("Solo l'Ufficio di Piano registra le variazioni di bilancio.")


class _VariationPage(PageAccessMixin, View):
    def render(self, request, template, plan, status=200, **extra):
        context = plan_context(request.user, plan, nav="plan")
        context.update(policy=policy_for(plan), **extra)
        return TemplateResponse(request, template, context, status=status)

    def save(self, request, form, plan, write):
        """Run ``write(act)`` with the chosen or new act; errors back to the form."""
        try:
            with transaction.atomic():
                act = _act_from(form, plan=plan, user=request.user)
                variation = write(act)
        except ValidationError as exc:
            form.apply_service_error(exc)
            form.style()
            return None
        return variation


class VariationCreateView(_VariationPage):
    template_name = "planning/variations/variation_form.html"

    def load(self, request, pk):
        line = scoped_or_404(
            lines_with_approved_preventivo(BudgetLine.objects.all()).select_related(
                "action__objective__plan__zone_plan__ambito", "channel"
            ),
            request.user, pk,
        )
        plan = line.action.objective.plan
        _require_editor(request.user, plan)
        return line, plan

    def page(self, request, line, plan, form, status=200):
        return self.render(
            request, self.template_name, plan, status=status, form=form, line=line,
            line_label=budget_line_label(line), objective=line.action.objective,
            page_title=f"Variazione di «{line}»",
            history=Variation.objects.filter(line=line).select_related("deliberation")
            .order_by("created_at", "pk"),
        )

    def get(self, request, pk):
        line, plan = self.load(request, pk)
        return self.page(request, line, plan, VariationForm(line=line, plan=plan))

    def post(self, request, pk):
        line, plan = self.load(request, pk)
        form = VariationForm(request.POST, request.FILES, line=line, plan=plan)
        if form.is_valid():
            data = form.cleaned_data
            variation = self.save(request, form, plan, lambda act: variation_create(
                line=line, new_amount=data["new_amount"], reason=data["reason"],
                deliberation=act, user=request.user,
            ))
            if variation is not None:
                messages.success(
                    request, f"Variazione registrata: «{line}» da "
                    f"{format_euro(variation.previous_amount)} a "
                    f"{format_euro(variation.new_amount)}.",
                )
                return redirect("budget:entry", pk=line.action.objective_id)
        return self.page(request, line, plan, form, status=400)


class VariationAddLineView(_VariationPage):
    template_name = "planning/variations/add_line_form.html"

    def load(self, request, pk):
        action = scoped_or_404(
            Action.objects.select_related("objective__plan__zone_plan__ambito"),
            request.user, pk,
        )
        plan = action.objective.plan
        _require_editor(request.user, plan)
        return action, plan

    def page(self, request, action, plan, form, status=200):
        return self.render(
            request, self.template_name, plan, status=status, form=form, action=action,
            objective=action.objective,
            page_title=f"Nuova voce per variazione – Azione {action.number}",
        )

    def get(self, request, pk):
        action, plan = self.load(request, pk)
        return self.page(request, action, plan, AddLineForm(plan=plan))

    def post(self, request, pk):
        action, plan = self.load(request, pk)
        form = AddLineForm(request.POST, request.FILES, plan=plan)
        if form.is_valid():
            data = form.cleaned_data
            variation = self.save(request, form, plan, lambda act: variation_add_line(
                action=action, item=data["item"], note=data["note"], channel=data["channel"],
                amount=data["amount"], reason=data["reason"], deliberation=act,
                user=request.user,
            ))
            if variation is not None:
                messages.success(request, f"Nuova voce registrata: {variation.subject}.")
                return redirect("budget:entry", pk=action.objective_id)
        return self.page(request, action, plan, form, status=400)


class VariationListView(_VariationPage):
    """The plan's variations, one table ready for paper."""

    template_name = "planning/variations/variation_list.html"

    def get(self, request, pk):
        plan = scoped_or_404(OperatingPlan.objects.select_related("zone_plan__ambito"),
                             request.user, pk)
        require_plan_reader(request.user, plan.zone_plan.ambito_id)
        variations = (
            Variation.objects.filter(plan=plan)
            .select_related("deliberation__body", "line__action__objective__plan")
            .order_by("created_at", "pk")
        )
        rows = [{"variation": v, "label": budget_line_label(v.line)} for v in variations]
        sums = variations.aggregate(previous=Sum("previous_amount"), new=Sum("new_amount"))
        difference = sum((v.difference for v in variations), ZERO)
        return self.render(
            request, self.template_name, plan, rows=rows, difference=difference,
            versions=preventivo_versions(plan=plan), sums=sums,
            page_title=f"Variazioni di bilancio – {plan.title}",
            may_vary=plan.state == OperatingPlan.State.APPROVED
            and user_holds(request.user, plan.zone_plan.ambito, *EDITORS),
        )
