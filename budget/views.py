"""The budget page of an objective: its actions and lines in one grid, plus Excel in and out."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views import View

from core.concurrency import ConflictError
from core.entry.access import (
    PageAccessMixin,
    budget_page_mode,
    plan_context,
    policy_for,
    scoped_or_403,
)
from core.entry.imports import ImportPageMixin
from core.wording import counted_rows
from objectives.models import Objective
from objectives.services import user_holds

from .entry_forms import budget_formset
from .entry_selectors import channels_of, objective_budget
from .entry_services import budget_lines_save, writable_actions
from .models import BudgetLine
from .resources import BudgetLineResource
from .services import EDITORS


class ObjectivePageMixin(PageAccessMixin):
    """Every role of the ambito reads an objective's budget; who may write it, and on which
    plan, is core/entry/access.py's budget_page_mode."""

    def load(self):
        user = self.request.user
        self.objective = scoped_or_403(
            Objective.objects.select_related("plan__zone_plan__ambito"), user, self.kwargs["pk"]
        )
        self.plan = self.objective.plan
        self.policy = policy_for(self.plan)
        self.mode = budget_page_mode(
            user, self.plan,
            rows_writable=bool(writable_actions(objective=self.objective, user=user)),
        )
        self.writable = self.mode.writable

    def base_context(self, **extra):
        context = plan_context(self.request.user, self.plan, nav="plan")
        context.update(objective=self.objective, policy=self.policy, writable=self.writable,
                       mode=self.mode, **extra)
        # Variations (planning/views_variations.py): staff, on an approved plan.
        context["can_vary"] = self.plan.state == "approvato" and user_holds(
            self.request.user, self.plan.zone_plan.ambito, *EDITORS
        )
        return context


class BudgetEntryView(ObjectivePageMixin, View):
    template_name = "budget/budget_entry.html"
    read_template_name = "budget/budget_read.html"

    def render_read(self, budget):
        """The read view: the same figures as text, with print and export (no form).

        A total with no consuntivo entered under it reads "–" like its lines, not 0,00 €."""
        entered_any = False
        for action in budget["actions"]:
            entered = any(line.consuntivo is not None for line in action.lines.all())
            action.read_consuntivo = action.total_consuntivo if entered else None
            entered_any = entered_any or entered
        budget = {**budget, "read_consuntivo": budget["totals"]["consuntivo"] if entered_any
                  else None}
        context = self.base_context(
            page_title=f"Budget dell'obiettivo {self.objective.number}", budget=budget,
        )
        return TemplateResponse(self.request, self.read_template_name, context)

    def render(self, formset, budget, *, status=200, conflicts=(), errors=()):
        conflict_by_row = {c.key: c for c in conflicts}
        numbers = {action.pk: action.number for action in budget["actions"]}
        groups = {}
        for index, form in enumerate(formset.forms):
            action_id = int(form["action"].value())
            item = form["item"].value() or "nuova riga"
            form.row_text = f"«{item}» dell'azione {numbers.get(action_id, '')}"
            form.conflict = conflict_by_row.get(index)
            groups.setdefault(action_id, []).append((index, form))
        context = self.base_context(
            page_title=f"Budget dell'obiettivo {self.objective.number}",
            formset=formset,
            budget=budget,
            groups=[(action, groups.get(action.pk, [])) for action in budget["actions"]],
            conflicts=conflicts,
            errors=errors,
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def formset(self, budget, data=None):
        return budget_formset(
            actions=budget["actions"], channels=channels_of(plan=self.plan),
            policy=self.policy, writable=self.writable, data=data,
        )

    def get(self, request, pk):
        self.load()
        budget = objective_budget(objective=self.objective, user=request.user)
        if self.mode.read_only:
            return self.render_read(budget)
        return self.render(self.formset(budget), budget)

    def post(self, request, pk):
        self.load()
        if not self.writable:
            raise PermissionDenied(self.mode.reason)
        budget = objective_budget(objective=self.objective, user=request.user)
        formset = self.formset(budget, data=request.POST)
        if not formset.is_valid():
            return self.render(formset, budget, errors=["Nessuna riga è stata salvata: "
                                                        "correggi gli errori evidenziati."])
        try:
            result = budget_lines_save(objective=self.objective, user=request.user,
                                       rows=formset.rows())
        except ConflictError as exc:
            # Show the colleague's change; the new tokens make a second save a conscious one.
            data = request.POST.copy()
            for conflict in exc.conflicts:
                data[f"{formset.prefix}-{conflict.key}-token"] = conflict.token
            formset = self.formset(budget, data=data)
            formset.is_valid()
            return self.render(formset, budget, status=409, conflicts=exc.conflicts)
        except ValidationError as exc:
            row_errors = exc.message_dict if hasattr(exc, "error_dict") else {}
            for key, row_messages in row_errors.items():
                if key.isdigit() and int(key) < len(formset.forms):
                    for message in row_messages:
                        formset.forms[int(key)].add_error(None, message)
            general = exc.messages if not row_errors else []
            return self.render(formset, budget, errors=["Nessuna riga è stata salvata.",
                                                        *general])
        if result.changed:
            messages.success(
                request,
                "Budget salvato: "
                + counted_rows(result.created, result.updated, deleted=result.deleted) + ".",
            )
        else:
            messages.info(request, "Nessuna modifica da salvare.")
        for warning in dict.fromkeys(result.warnings):
            messages.warning(request, warning)
        return redirect("budget:entry", pk=self.objective.pk)


class BudgetExportView(ObjectivePageMixin, View):
    def get(self, request, pk, fmt):
        self.load()
        lines = BudgetLine.objects.restrict(request.user).filter(action__objective=self.objective)
        resource = BudgetLineResource(user=request.user, objective=self.objective)
        filename = f"budget-obiettivo-{self.objective.number}-{self.plan.year}"
        return resource.export_response(lines, fmt=fmt, filename=filename)


class BudgetImportView(ImportPageMixin, ObjectivePageMixin, View):
    template_name = "budget/budget_import.html"
    resource_class = BudgetLineResource
    kind = "budget"

    def import_scope(self):
        self.load()
        if not self.writable:
            raise PermissionDenied(self.mode.reason)
        return {"objective": self.objective}, f"objective:{self.objective.pk}"

    def page_context(self):
        return self.base_context(page_title=f"Importa il budget dell'obiettivo "
                                            f"{self.objective.number}")

    def done_url(self):
        return redirect("budget:entry", pk=self.objective.pk)
